// The web console in a real browser: Debian's chromium driven by
// playwright-core (no browser download), against `grove serve` on a fresh
// data directory with the real embedder. Walks first-run setup, a data
// source with its documents, a file uploaded and its sync's progress
// pushed to the page, a knowledge-base source added, a notification
// channel, a chat whose cited answer streams in, a citation, a job run
// with its chart and then scheduled in its settings, an API key created
// and revoked, and sign-out; runs axe-core on every page it photographs; fails on any
// serious or critical accessibility finding and on any browser console
// error (a CSP violation shows there). Screenshots go to target/console-screenshots/.
//
// Run from the repository root after building: node tests/browser/console.mjs
// (the binary is $CARGO_TARGET_DIR/debug/grove, default target/; GROVE_BIN
// overrides it; CHROMIUM overrides /usr/bin/chromium).

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const target = process.env.CARGO_TARGET_DIR ?? "target";
const grove = process.env.GROVE_BIN ?? join(target, "debug", "grove");
const shots = join(target, "console-screenshots");
mkdirSync(shots, { recursive: true });

const axeSource = readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
const passed = [];
const axeFindings = [];

/** axe-core on the page as it is now; serious and critical findings are kept. */
async function accessibility(page, name) {
  // Evaluated through the debugging protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  for (const v of result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")) {
    axeFindings.push(`${name}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`);
  }
}
let serverLog = "";
async function check(name, body) {
  await body();
  passed.push(name);
  console.log(`  ok  ${name}`);
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `grove serve`; resolves with its key and setup link once it listens. */
function startGrove(dataDir, port) {
  const child = spawn(grove, ["serve", "--data-dir", dataDir], {
    env: { ...process.env, GROVE_ADDR: `127.0.0.1:${port}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr.on("data", (data) => { serverLog += data; });
  return new Promise((resolve, reject) => {
    let out = "";
    child.on("exit", (code) => reject(new Error(`grove exited with ${code}: ${out}`)));
    child.stdout.on("data", (data) => {
      out += data;
      if (out.includes("Grove is listening")) {
        const key = out.match(/admin key:\s+(\S+)/)[1];
        const setupUrl = out.match(/(http:\/\/\S+\/setup\?token=\S+)/)[1];
        resolve({ child, key, setupUrl });
      }
    });
  });
}

function assert(condition, message) {
  if (!condition) { throw new Error(message); }
}

const dataDir = mkdtempSync(join(tmpdir(), "grove-browser-"));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const { child, key, setupUrl } = await startGrove(dataDir, port);
let browser;
let failed = false;
try {
  const api = async (method, path, body) => {
    const response = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body instanceof FormData ? {} : { "content-type": "application/json" }) },
      body: body instanceof FormData ? body : body && JSON.stringify(body),
    });
    const text = await response.text();
    assert(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  // What the console shows: a file data source with one page, and an agent over it.
  const source = await api("POST", "/api/v1/data-sources", { type: "file", name: "Garden" });
  const files = new FormData();
  files.append("file", new Blob(["# Greenhouse\n\nThe greenhouse vents open automatically when the temperature rises above 28 degrees. They close again at night.\n"]), "greenhouse.md");
  await api("POST", `/api/v1/data-sources/${source.id}/files`, files);
  for (let i = 0; ; i++) {
    const status = await api("GET", `/api/v1/data-sources/${source.id}/status`);
    if (status.sync_status === "succeeded") { break; }
    assert(i < 600 && status.sync_status !== "failed", `sync: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const agent = await api("POST", "/api/v1/agents", { name: "Gardener", data_source_ids: [source.id], similarity_threshold: 0 });
  await api("POST", `/api/v1/agents/${agent.id}/jobs`, { name: "Vents", prompt: "When do the greenhouse vents open?" });

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const consoleErrors = [];
  page.on("console", (message) => { if (message.type() === "error") { consoleErrors.push(message.text()); } });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));

  await check("signed out, the console asks to sign in", async () => {
    await page.goto(base + "/");
    assert(new URL(page.url()).pathname === "/login", page.url());
    await page.screenshot({ path: `${shots}/login.png`, fullPage: true });
    await accessibility(page, "login");
  });

  await check("the setup link sets the admin's password and signs in", async () => {
    await page.goto(setupUrl);
    await page.getByLabel("New password").fill("a long enough password");
    await page.getByLabel("The same again").fill("a long enough password");
    await page.getByRole("button", { name: "Set password and sign in" }).click();
    await page.waitForURL(base + "/");
    assert(await page.getByRole("heading", { name: "Home" }).isVisible(), "home heading");
    await page.screenshot({ path: `${shots}/home.png`, fullPage: true });
    await accessibility(page, "home");
  });

  await check("a data source shows its documents and a document its chunks", async () => {
    await page.getByRole("link", { name: "Data sources" }).click();
    await page.getByRole("link", { name: "Garden" }).click();
    // "Sync now": the server pushes the progress (server-sent events) until the sync is over.
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.locator("#progress .badge.succeeded").waitFor({ timeout: 30000 });
    // Files uploaded here are stored, synced, and their progress arrives without a reload.
    await page.getByLabel(/PDF, Word, HTML, Markdown/).setInputFiles({
      name: "orchard.md", mimeType: "text/markdown",
      buffer: Buffer.from("# Orchard\n\nThe apple trees are pruned in February, before the buds open.\n"),
    });
    await page.getByRole("button", { name: "Upload and sync" }).click();
    await page.getByText("1 file(s) stored").waitFor();
    await page.locator("#progress", { hasText: "2 of 2 documents" }).locator(".badge.succeeded").waitFor({ timeout: 60000 });
    await page.reload();
    await page.getByRole("link", { name: "Orchard" }).waitFor();
    await page.screenshot({ path: `${shots}/source.png`, fullPage: true });
    await accessibility(page, "source");
    await page.getByRole("link", { name: "Greenhouse" }).click();
    await page.getByText("above 28 degrees").first().waitFor();
    await page.screenshot({ path: `${shots}/document.png`, fullPage: true });
    await accessibility(page, "document");
  });

  await check("a knowledge-base source is added in the console and syncs", async () => {
    await page.getByRole("link", { name: "Data sources" }).click();
    await page.getByRole("link", { name: "Add a data source" }).click();
    await page.getByLabel("Name").fill("FAQ");
    await page.getByRole("combobox", { name: /^Type/ }).selectOption("kb");
    await page.screenshot({ path: `${shots}/source-new.png`, fullPage: true });
    await accessibility(page, "source-new");
    await page.getByRole("button", { name: "Add the data source" }).click();
    await page.getByRole("heading", { name: "FAQ" }).waitFor();
    await page.locator("#progress .badge.succeeded").waitFor({ timeout: 30000 });
    await page.getByRole("link", { name: "Settings, or delete" }).click();
    await page.getByRole("heading", { name: "Settings of FAQ" }).waitFor();
    await accessibility(page, "source-settings");
  });

  await check("a notification channel is added and opens with its deliveries", async () => {
    await page.getByRole("link", { name: "Channels", exact: true }).click();
    await page.getByLabel("Name").fill("Ops mail");
    await page.getByLabel(/Email addresses/).fill("ops@example.com");
    await page.getByRole("button", { name: "Add the channel" }).click();
    await page.getByRole("heading", { name: "Ops mail" }).waitFor();
    await page.getByText("Nothing sent yet").waitFor();
    await page.screenshot({ path: `${shots}/channel.png`, fullPage: true });
    await accessibility(page, "channel");
    await page.getByRole("link", { name: "Channels", exact: true }).click();
    await page.getByRole("link", { name: "Ops mail" }).waitFor();
    await accessibility(page, "channels");
  });

  await check("the chat streams a cited answer and the citation opens its source", async () => {
    await page.getByRole("link", { name: "Agents" }).click();
    await page.getByRole("link", { name: "Gardener", exact: true }).click();
    await page.getByLabel("Your question").fill("When do the greenhouse vents open?");
    await page.getByRole("button", { name: "Ask" }).click();
    const turn = page.locator("article.turn").first();
    await turn.waitFor({ timeout: 30000 });
    const answer = await turn.locator(".answer").innerText();
    assert(answer.includes("28 degrees"), `answer: ${answer}`);
    await page.screenshot({ path: `${shots}/chat.png`, fullPage: true });
    await accessibility(page, "chat");
    await turn.locator(".answer a", { hasText: "[1]" }).first().click();
    assert(new URL(page.url()).hash.startsWith("#s-int_"), page.url());
    await turn.locator("ol.sources a").first().click();
    await page.getByText("above 28 degrees").first().waitFor();
    assert(new URL(page.url()).pathname.startsWith("/documents/doc_"), page.url());
  });

  await check("a job runs from the console and its chat shows the answer and a chart", async () => {
    await page.getByRole("link", { name: "Jobs" }).click();
    await page.getByRole("link", { name: "Vents" }).click();
    await page.getByRole("button", { name: "Run now" }).click();
    for (let i = 0; !(await page.locator(".badge.succeeded").count()); i++) {
      assert(i < 300 && !(await page.locator(".badge.failed").count()), "the run did not succeed");
      await new Promise((r) => setTimeout(r, 100));
      await page.reload();
    }
    await page.getByRole("link", { name: "open" }).first().click();
    const chart = page.locator("img.chart").first();
    await chart.waitFor();
    const width = await chart.evaluate((img) => img.naturalWidth);
    assert(width > 0, "the chart image did not load");
    assert(await page.getByText("28 degrees").first().isVisible(), "the answer");
    await page.screenshot({ path: `${shots}/run-chat.png`, fullPage: true });
    await accessibility(page, "run-chat");
    await page.getByRole("link", { name: "Jobs" }).click();
    await page.getByRole("link", { name: "Vents" }).click();
    await page.getByRole("link", { name: "Settings, or delete" }).click();
    await page.getByLabel(/^Cron/).fill("0 8 * * 1");
    await page.getByLabel(/^Time zone/).fill("Europe/Berlin");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved.").waitFor();
    await page.screenshot({ path: `${shots}/job-settings.png`, fullPage: true });
    await accessibility(page, "job-settings");
    await page.getByRole("link", { name: "Jobs" }).click();
    await page.getByText("At 08:00, only on Monday (Europe/Berlin; cron 0 8 * * 1)").waitFor();
  });

  await check("an agent's settings preview an answer before anything is saved", async () => {
    await page.getByRole("link", { name: "Agents" }).click();
    await page.getByRole("link", { name: "Settings of Gardener" }).click();
    await page.getByLabel("Try a question with the settings above").fill("When do the greenhouse vents open?");
    await page.getByRole("button", { name: "Preview the answer" }).click();
    await page.locator("#preview-answer .answer", { hasText: "28 degrees" }).waitFor({ timeout: 30000 });
    assert(new URL(page.url()).pathname.startsWith("/agents/agent_"), `htmx kept the page: ${page.url()}`);
    await page.screenshot({ path: `${shots}/agent-settings.png`, fullPage: true });
    await accessibility(page, "agent-settings");
  });

  await check("times show in the browser's zone with UTC on hover", async () => {
    await page.getByRole("link", { name: "Answers", exact: true }).click();
    const time = page.locator("time[data-local]").first();
    await time.waitFor();
    const title = await time.getAttribute("title");
    assert(title.endsWith("UTC"), `title: ${title}`);
    await page.screenshot({ path: `${shots}/answers.png`, fullPage: true });
    await accessibility(page, "answers");
  });

  await check("a corrected answer becomes a knowledge-base article with versions", async () => {
    await page.locator("td a[href^='/interactions/']").first().click();
    await page.getByLabel("Corrected answer").fill("The vents open above 28 degrees and close at night.");
    await page.getByRole("button", { name: "Save the corrected answer" }).click();
    await page.locator("td a[href^='/interactions/']").first().waitFor();
    await page.getByRole("link", { name: "Answers", exact: true }).click();
    await page.locator("td a[href^='/interactions/']").first().click();
    await page.getByRole("button", { name: "Make a draft knowledge-base article of the correction" }).click();
    await page.waitForURL(/\/kb\/kb_/);
    await page.getByLabel("Content (Markdown)").fill("The vents open above 30 degrees and close at night.");
    await page.getByRole("combobox", { name: /^Status/ }).selectOption("published");
    await page.getByRole("button", { name: "Save as a new version" }).click();
    await page.getByRole("link", { name: "2", exact: true }).click();
    await page.locator("pre.diff .added", { hasText: "30 degrees" }).waitFor();
    await page.screenshot({ path: `${shots}/kb-version.png`, fullPage: true });
    await accessibility(page, "kb-version");
    await page.getByRole("link", { name: "Knowledge base", exact: true }).click();
    await page.screenshot({ path: `${shots}/kb.png`, fullPage: true });
    await accessibility(page, "kb");
    // The published article syncs into the knowledge-base source.
    await page.getByRole("link", { name: "Data sources" }).click();
    await page.getByRole("link", { name: "FAQ", exact: true }).click();
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.locator("#progress", { hasText: "1 of 1 documents" }).locator(".badge.succeeded").waitFor({ timeout: 60000 });
  });

  await check("pages fit a 360-pixel-wide screen", async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ["/", "/sources", "/agents", "/jobs", "/interactions", "/review", "/kb", "/evals", "/channels", "/connectors"]) {
      await page.goto(base + path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 0, `${path} is ${overflow} px wider than the screen`);
    }
    await page.screenshot({ path: `${shots}/narrow-sources.png`, fullPage: true });
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.goto(base + "/");
  });

  await check("analytics, evals, webhooks and settings open for an admin", async () => {
    await page.getByRole("link", { name: "Analytics", exact: true }).click();
    const chart = page.locator("img.chart").first();
    await chart.waitFor();
    assert((await chart.evaluate((img) => img.naturalWidth)) > 0, "the analytics chart did not load");
    await page.screenshot({ path: `${shots}/analytics.png`, fullPage: true });
    await accessibility(page, "analytics");
    for (const [link, name] of [["Evals", "evals"], ["Webhooks", "webhooks"], ["Settings", "settings"]]) {
      await page.getByRole("link", { name: link, exact: true }).click();
      await page.getByRole("heading", { name: link }).waitFor();
      await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
      await accessibility(page, name);
    }
  });

  await check("an admin creates a key, sees it once, and revokes it", async () => {
    await page.getByRole("link", { name: "API keys" }).click();
    await page.getByLabel("Name").fill("browser");
    await page.getByLabel("read").check();
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = (await page.locator("code.secret").innerText()).trim();
    assert(secret.startsWith("grove_live_"), secret);
    const works = await fetch(base + "/api/v1/agents", { headers: { authorization: `Bearer ${secret}` } });
    assert(works.status === 200, `the new key: ${works.status}`);
    await page.screenshot({ path: `${shots}/keys.png`, fullPage: true });
    await accessibility(page, "keys");
    await page.getByRole("button", { name: "Revoke browser" }).click();
    await page.getByText("revoked").first().waitFor();
    const refused = await fetch(base + "/api/v1/agents", { headers: { authorization: `Bearer ${secret}` } });
    assert(refused.status === 401, `the revoked key: ${refused.status}`);
  });

  await check("signing out ends the session", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(base + "/login");
    await page.goto(base + "/sources");
    assert(new URL(page.url()).pathname === "/login", page.url());
  });

  await check("no serious or critical accessibility finding on any page (axe-core)", async () => {
    assert(axeFindings.length === 0, axeFindings.join("\n"));
  });

  await check("no page logged a console error (CSP violations included)", async () => {
    assert(consoleErrors.length === 0, consoleErrors.join("\n"));
  });
} catch (error) {
  failed = true;
  console.error(`  FAILED: ${error.stack ?? error}`);
  console.error(`the server's log:\n${serverLog.slice(-4000)}`);
} finally {
  if (browser) { await browser.close(); }
  child.kill("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`browser tests: ${passed.length} passed${failed ? ", 1 failed" : ""}`);
process.exit(failed ? 1 : 0);
