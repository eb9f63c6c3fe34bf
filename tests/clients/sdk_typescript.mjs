// Grove's TypeScript SDK (sdks/typescript, built to dist/) against a live Grove: `grove init`,
// `grove serve` on a free loopback port with a small read rate limit, a file data source with one
// page, an agent and a job; then a query whole and streamed, search, agents, data sources, a job
// trigger, a typed error and a 429 waited out.
//
//   node tests/clients/sdk_typescript.mjs      # GROVE_BIN: the grove binary (default target/debug/grove)
//
// Prints one line per check and a summary; exits non-zero when any check fails.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Grove, GroveError } from "../../sdks/typescript/dist/index.js";

const root = new URL("../../", import.meta.url).pathname;
const grove = process.env.GROVE_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug", "grove");
const QUESTION = "When do the greenhouse vents open?";

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push([name, null]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, e]);
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "grove-sdk-ts-"));
const { api_key: key } = JSON.parse(execFileSync(grove, ["init", "--json", "--data-dir", dataDir]).toString());
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const child = spawn(grove, ["serve", "--data-dir", dataDir], {
  env: {
    ...process.env,
    GROVE_ADDR: `127.0.0.1:${port}`,
    GROVE_RATE_LIMITS__READ__PER_MINUTE: "60",
    GROVE_RATE_LIMITS__READ__BURST: "3",
  },
  stdio: ["ignore", "pipe", "ignore"],
});
await new Promise((resolve, reject) => {
  let out = "";
  child.on("exit", (code) => reject(new Error(`grove exited with ${code}`)));
  child.stdout.on("data", (d) => {
    out += d;
    if (out.includes("Grove is listening")) resolve();
  });
});

try {
  const sdk = new Grove({ apiKey: key, baseUrl: base });
  // Fixtures with plain fetch, waiting out the small read limit.
  const call = async (method, path, body) => {
    for (;;) {
      const response = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body instanceof FormData ? {} : { "content-type": "application/json" }) },
        body: body instanceof FormData ? body : body && JSON.stringify(body),
      });
      if (response.status === 429) {
        await new Promise((r) => setTimeout(r, 1000 * Number(response.headers.get("retry-after") ?? 1)));
        continue;
      }
      const text = await response.text();
      assert(response.ok, `${method} ${path}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : null;
    }
  };
  const source = await call("POST", "/api/v1/data-sources", { type: "file", name: "Garden" });
  const files = new FormData();
  files.append("file", new Blob(["# Greenhouse\n\nThe greenhouse vents open automatically when the temperature rises above 28 degrees. They close again at night.\n"]), "greenhouse.md");
  await call("POST", `/api/v1/data-sources/${source.id}/files`, files);
  for (let i = 0; ; i++) {
    const status = await call("GET", `/api/v1/data-sources/${source.id}/status`);
    if (status.sync_status === "succeeded") break;
    assert(i < 600 && status.sync_status !== "failed", JSON.stringify(status));
    await new Promise((r) => setTimeout(r, 100));
  }
  const agent = await call("POST", "/api/v1/agents", { name: "Gardener", data_source_ids: [source.id], similarity_threshold: 0.2 });
  const job = await call("POST", `/api/v1/agents/${agent.id}/jobs`, { name: "Vents", prompt: QUESTION });

  await check("query answers with the cited source", async () => {
    const answer = await sdk.query({ agentId: agent.id, query: QUESTION });
    assert(answer.response.includes("28 degrees"), answer.response);
    assert(answer.sources.find((s) => s.cited)?.document_title === "Greenhouse", JSON.stringify(answer.sources));
  });
  await check("stream yields the answer's text, then its sources", async () => {
    const events = [];
    for await (const event of sdk.stream({ agentId: agent.id, query: QUESTION })) events.push(event);
    const whole = await sdk.query({ agentId: agent.id, query: QUESTION });
    assert(events.map((e) => e.delta).join("") === whole.response, "streamed text differs");
    const last = events.at(-1);
    assert(last.done && last.sources.some((s) => s.cited), JSON.stringify(last));
  });
  await check("search finds the page", async () => {
    const found = await sdk.search(QUESTION, { topK: 3 });
    assert(found.chunks[0].document_title === "Greenhouse", JSON.stringify(found.chunks[0]));
  });
  await check("agents and data sources are listed", async () => {
    assert((await sdk.agents.list()).map((a) => a.id).join() === agent.id, "agents");
    assert((await sdk.dataSources.list()).length === 1, "data sources");
  });
  await check("jobs.trigger starts a run that succeeds", async () => {
    const started = await sdk.jobs.trigger(job.id);
    const run = started.runs[0];
    assert(run.chat_id.startsWith("chat_"), JSON.stringify(run));
    let status;
    for (let i = 0; i < 300; i++) {
      status = (await sdk.jobs.getRun(run.id)).status;
      if (status === "succeeded" || status === "failed") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert(status === "succeeded", status);
  });
  await check("a missing agent throws GroveError with code, details and requestId", async () => {
    try {
      await sdk.agents.get("agent_doesnotexist");
      throw new Error("no error");
    } catch (e) {
      assert(e instanceof GroveError && e.status === 404 && e.code === "not_found", String(e));
      assert(e.requestId?.startsWith("req_"), String(e.requestId));
      assert((e.message + JSON.stringify(e.details)).includes("agent_doesnotexist"), e.message);
    }
  });
  await check("a 429 is retried after its Retry-After", async () => {
    const started = Date.now();
    for (let i = 0; i < 6; i++) assert((await sdk.agents.list()).length === 1, "listed");
    assert(Date.now() - started >= 1000, "no 429 was met");
  });
} finally {
  child.kill("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
}
const failed = results.filter(([, e]) => e).length;
console.log(`typescript-sdk: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
