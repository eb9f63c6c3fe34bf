"""Schemathesis against a live Grove: every operation of the served OpenAPI document, in the
coverage and fuzzing phases, with `not_a_server_error`, `status_code_conformance`,
`content_type_conformance` and `response_schema_conformance`.

A fresh data directory (tests/clients/live.py) gets one of each resource, so path parameters name
things that exist: schemathesis.toml, written here, pins each operation's path ids to them. Each
DELETE gets a resource of its own, so deleting cannot starve the other operations; each PUT gets
its own too where a random update could break what another operation needs (a channel's config,
a webhook's URL). Operations that could lock the caller out (revoking a key, deleting or demoting
a user) run in a second organisation made for the purpose, with its own key and throwaway ids.

The server runs with raised rate limits, and its outbound HTTP goes to a dead proxy on loopback,
so the random URLs a fuzzer writes into webhooks and channels never leave the machine.

    python tests/conformance/run.py [st run options]   # GROVE_BIN: the grove binary (default target/debug/grove)

Fails when schemathesis reports a failure or an operation none of whose valid requests was
accepted (`validation_mismatch`, `missing_test_data`).
"""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "clients"))
from live import LiveGrove  # noqa: E402

RAISED_LIMITS = {
    f"GROVE_RATE_LIMITS__{family}__{knob}": "1000000"
    for family in ("READ", "WRITE", "EXECUTE", "ADMIN")
    for knob in ("PER_MINUTE", "BURST")
}
# Outbound HTTP (webhook and channel deliveries, crawls) to a port nothing listens on.
DEAD_PROXY = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "ALL_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "",
    "GROVE_WEBHOOKS__ALLOW_HTTP": "true",
}
MAX_EXAMPLES = int(os.environ.get("GROVE_CONFORMANCE_EXAMPLES", "10"))


def created(grove, path, body, key=None):
    try:
        return grove.api("POST", path, body, key=key)
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"POST {path}: {e.code} {e.read().decode()}") from None


class Fixtures:
    """One of each resource in the first organisation, and throwaways in the second."""

    def __init__(self, grove):
        self.grove = grove
        self.databases = tempfile.mkdtemp(prefix="grove-conformance-db-")
        g = grove
        self.source = g.api("GET", "/api/v1/data-sources")["data_sources"][0]["id"]
        docs = g.api("GET", f"/api/v1/data-sources/{self.source}/documents")["documents"]
        self.document = docs[0]["id"]
        self.chunk = g.api("GET", f"/api/v1/documents/{self.document}")["chunks"][0]["chunk_id"]
        self.agent = g.agent["id"]
        self.job = g.job["id"]
        asked = g.api("POST", "/api/v1/query", {"agent_id": self.agent, "query": "When do the vents open?"})
        self.interaction = asked["metadata"]["interaction_id"]
        self.session = asked["metadata"]["session_id"]
        g.api("PATCH", f"/api/v1/interactions/{self.interaction}", {"edited_answer": "The vents open above 28 degrees."})
        self.connector = self._connector("Shop")
        self._report_run()
        self.article = created(g, "/api/v1/kb", {"title": "Vents", "content": "The vents open at 28 degrees.", "status": "published"})["id"]
        g.api("PUT", f"/api/v1/kb/{self.article}", {"content": "The vents open above 28 degrees."})
        items = [{"question": "When do the vents open?", "expected_sources": ["greenhouse.md"]}]
        self.eval_set = created(g, "/api/v1/eval-sets", {"name": "Vents", "items": items})["id"]
        self.eval_run = created(g, f"/api/v1/eval-sets/{self.eval_set}/runs", {"agent_id": self.agent})["id"]
        self.later_eval_run = created(g, f"/api/v1/eval-sets/{self.eval_set}/runs", {"agent_id": self.agent})["id"]
        self.channel = self._channel("Ops")
        self.webhook = self._webhook()
        g.api("POST", f"/api/v1/webhooks/{self.webhook}/test")
        self.delivery = g.api("GET", f"/api/v1/webhooks/{self.webhook}/deliveries")["deliveries"][0]["id"]
        self.other_key = g.other_org_key

    def _report_run(self):
        """A run of a job with a saved query, so its chat holds a table, a chart and a report."""
        g = self.grove
        query = {"name": "Sales by region", "connector_id": self.connector, "sql": "SELECT region, SUM(amount) AS amount FROM sales GROUP BY region"}
        job = created(g, f"/api/v1/agents/{self.agent}/jobs", {"name": "Sales", "prompt": "How are sales?", "queries": [query]})["id"]
        run = g.api("POST", f"/api/v1/jobs/{job}/runs", {})["runs"][0]
        self.run, self.chat = run["id"], run["chat_id"]
        for _ in range(600):
            if g.api("GET", f"/api/v1/runs/{self.run}")["status"] not in ("queued", "running"):
                break
            time.sleep(0.1)
        documents = g.api("GET", f"/api/v1/chats/{self.chat}")["documents"]
        self.report = next(d["id"] for d in documents if d["kind"] == "report")

    def _connector(self, name):
        path = os.path.join(self.databases, f"{name}.db")
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS sales (region TEXT, amount INTEGER)")
            db.execute("INSERT INTO sales VALUES ('north', 10)")
        body = {"name": name, "type": "sqlite", "config": {"path": path}}
        return created(self.grove, "/api/v1/data-connectors", body)["id"]

    def _channel(self, name):
        body = {"name": name, "kind": "email", "config": {"to": ["ops@example.com"]}}
        return created(self.grove, "/api/v1/notification-channels", body)["id"]

    def _webhook(self):
        body = {"url": "https://hooks.example.com/grove", "events": ["*"]}
        return created(self.grove, "/api/v1/webhooks", body)["id"]

    def doomed(self, operation_id):
        """A resource of its own for a DELETE (or a disruptive PUT) to act on."""
        g = self.grove
        n = operation_id
        if "Agent" in n:
            return created(g, "/api/v1/agents", {"name": f"Doomed {n}", "data_source_ids": [self.source]})["id"]
        if "DataSource" in n:
            return created(g, "/api/v1/data-sources", {"type": "file", "name": f"Doomed {n}"})["id"]
        if n == "deleteJob" or n == "updateJob":
            return created(g, f"/api/v1/agents/{self.agent}/jobs", {"name": f"Doomed {n}", "prompt": "Anything new?"})["id"]
        if "KbArticle" in n:
            return created(g, "/api/v1/kb", {"title": n, "content": "Doomed."})["id"]
        if "EvalSet" in n:
            return created(g, "/api/v1/eval-sets", {"name": n, "items": [{"question": "Why?"}]})["id"]
        if n == "deleteFile":
            g.api("POST", f"/api/v1/data-sources/{self.source}/files", files=[("doomed.md", "# Doomed\n\nTo be deleted.\n")])
            return "doomed.md"
        if n == "deleteDocument":
            source = created(g, "/api/v1/data-sources", {"type": "file", "name": "Doomed documents"})["id"]
            g.api("POST", f"/api/v1/data-sources/{source}/files", files=[("doomed.md", "# Doomed\n\nTo be deleted.\n")])
            for _ in range(600):
                documents = g.api("GET", f"/api/v1/data-sources/{source}/documents")["documents"]
                if documents:
                    return documents[0]["id"]
                time.sleep(0.1)
            raise RuntimeError("the doomed document was never indexed")
        if n == "deleteSession":
            asked = g.api("POST", "/api/v1/query", {"agent_id": self.agent, "query": "Why?"})
            return asked["metadata"]["session_id"]
        if "DataConnector" in n:
            return self._connector(n)
        if "NotificationChannel" in n:
            return self._channel(n)
        if "Webhook" in n:
            return self._webhook()
        raise KeyError(n)

    def other_org(self, kind):
        """A throwaway user or key in the second organisation."""
        g, key = self.grove, self.other_key
        if kind == "user":
            return created(g, "/api/v1/users", {"email": f"doomed{os.urandom(4).hex()}@example.com", "name": "Doomed", "role": "readonly"}, key=key)["id"]
        return created(g, "/api/v1/api-keys", {"name": "doomed", "scopes": ["read"]}, key=key)["id"]


def path_ids(fx, operation_id, path):
    """The values of an operation's path parameters, by name: the fixtures, except that the
    resource a DELETE or a disruptive PUT acts on (the last parameter) is one of its own."""
    by_collection = {
        "agents": fx.agent,
        "ai-agent-managers": fx.agent,
        "chats": fx.chat,
        "data-connectors": fx.connector,
        "data-sources": fx.source,
        "data-specs": fx.source,
        "documents": fx.document,
        "eval-runs": fx.eval_run,
        "eval-sets": fx.eval_set,
        "interactions": fx.interaction,
        "jobs": fx.job,
        "kb": fx.article,
        "notification-channels": fx.channel,
        "runs": fx.run,
        "sessions": fx.session,
        "webhooks": fx.webhook,
    }
    by_name = {"chunk_id": fx.chunk, "delivery_id": fx.delivery, "version": 1, "name": "greenhouse.md", "model": "gardener", "document_id": fx.report}
    destructive = operation_id.startswith("delete") or operation_id in DISRUPTIVE_UPDATES
    values = {}
    parts = path.split("/")
    for i, part in enumerate(parts):
        if not part.startswith("{"):
            continue
        name, collection = part.strip("{}"), parts[i - 1]
        if collection in ("users", "api-keys"):
            values[name] = fx.other_org("user" if collection == "users" else "key")
        elif destructive and i == len(parts) - 1:
            values[name] = fx.doomed(operation_id)
        elif name in by_name:
            values[name] = by_name[name]
        else:
            values[name] = by_collection[collection]
    return values


# PUTs whose random bodies could break what other operations rely on.
# (An agent's update could deactivate it or change the slug the OpenAI face calls it by.)
DISRUPTIVE_UPDATES = {
    "updateAgent",
    "updateAiAgentManagerLegacy",
    "updateNotificationChannel",
    "updateWebhook",
    "updateDataConnector",
    "updateDataSource",
    "updateDataSourceLegacy",
}


def in_other_org(path):
    return "/users" in path or "/api-keys" in path


def toml_value(value):
    """A TOML inline value."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def body_pins(fx):
    """Body fields pinned per operation (tests/conformance/hooks.py sets them on valid bodies):
    ids that must name existing things, and values only this server accepts (its one model, the
    connector's database file). Everything else is generated."""
    agent = {"data_source_ids": [fx.source], "data_connector_ids": [fx.connector], "model": "extractive", "slug": "agent-{n}"}
    legacy_agent = {"dataSourceIds": [fx.source], "dataConnectorIds": [fx.connector], "model": "extractive", "slug": "agent-{n}"}
    query = {"name": "Sales", "connector_id": fx.connector, "sql": "SELECT region FROM sales"}
    job = {"queries": [query], "channel_ids": [fx.channel], "parameters": [], "parameter_sets": [{}]}
    connector = {"type": "sqlite", "config": {"path": os.path.join(fx.databases, "Shop.db")}}
    channel = {"kind": "email", "config": {"to": ["ops@example.com"]}}
    search = {"org_id": fx.grove.org_id, "data_source_ids": [fx.source]}
    # A public name: creating an endpoint checks the address it resolves to.
    webhook = {"url": "https://hooks.example.com/grove", "events": ["*"]}
    return {
        "createAgent": agent,
        "updateAgent": agent,
        "createAiAgentManagerLegacy": legacy_agent,
        "updateAiAgentManagerLegacy": legacy_agent,
        "createJob": job,
        "updateJob": job,
        "createChat": {"agent_id": fx.agent},
        "chatLegacy": {"agentId": fx.agent, "sessionId": fx.session},
        "query": {"agent_id": fx.agent, "session_id": fx.session},
        "semanticSearch": search,
        "semanticSearchLegacy": {"orgId": fx.grove.org_id, "dataSourceIds": [fx.source]},
        "createApiKey": {"scopes": ["read"]},
        "createApiKeyLegacy": {"scopes": ["read"]},
        "createDataConnector": connector,
        "updateDataConnector": connector,
        "queryDataConnector": {"sql": "SELECT region, amount FROM sales"},
        "createDataSource": {"type": "file", "config": {}},
        "createDataSpecLegacy": {"type": "file", "config": {}},
        "runEvalSet": {"agent_id": fx.agent},
        "createNotificationChannel": channel,
        "updateNotificationChannel": channel,
        "createWebhook": webhook,
        "updateWebhook": webhook,
        "createWebhookLegacyLegacy": webhook,
        "putOrganizationSettings": {"default_model": "extractive"},
        "legacyInteractionFeedbackLegacy": {"interactionId": fx.interaction},
        "openai_chat_completions": {"model": "gardener", "messages": [{"role": "user", "content": "When do the vents open?"}]},
    }


def write_config(fx, document, out):
    lines = [
        "[warnings]",
        'fail-on = ["validation_mismatch", "missing_test_data"]',
        "",
        "[generation]",
        f"max-examples = {MAX_EXAMPLES}",
        "",
    ]
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            operation_id = operation.get("operationId")
            if operation_id is None:
                continue
            params = {f"path.{k}": v for k, v in (path_ids(fx, operation_id, path) if "{" in path else {}).items()}
            if operation_id == "compareEvalRuns":
                params.update({"query.base": fx.eval_run, "query.head": fx.later_eval_run})
            # Every credential at once: Bearer, and X-API-Key with its X-Organization-Id.
            key, org = (fx.other_key, fx.grove.other_org_id) if in_other_org(path) else (fx.grove.key, fx.grove.org_id)
            headers = {"Authorization": f"Bearer {key}", "X-API-Key": key, "X-Organization-Id": org}
            lines.append("[[operations]]")
            lines.append(f"include-operation-id = {toml_value(operation_id)}")
            lines.append("headers = { " + ", ".join(f"{k} = {toml_value(v)}" for k, v in headers.items()) + " }")
            if params:
                lines.append("parameters = " + toml_value(params))
            lines.append("")
    with open(out, "w") as f:
        f.write("\n".join(lines))


def main():
    st = os.environ.get("SCHEMATHESIS", "st")
    log = os.path.join(tempfile.mkdtemp(prefix="grove-conformance-log-"), "grove.log")
    with LiveGrove(env={**RAISED_LIMITS, **DEAD_PROXY}, log=log) as grove:
        fx = Fixtures(grove)
        document = grove.api("GET", "/openapi.json")
        workdir = tempfile.mkdtemp(prefix="grove-conformance-")
        config = os.path.join(workdir, "schemathesis.toml")
        write_config(fx, document, config)
        pins = os.path.join(workdir, "pins.json")
        with open(pins, "w") as f:
            json.dump(body_pins(fx), f)
        env = dict(os.environ, GROVE_CONFORMANCE_PINS=pins, SCHEMATHESIS_HOOKS="hooks", PYTHONPATH=HERE)
        command = [
            st, "--config-file", config, "run", f"{grove.base}/openapi.json",
            "--phases", "examples,coverage,fuzzing",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            # One worker: with two, a debug build on two cores once kept SQLite's write lock
            # busy past its 5 s timeout (a 500 on a DELETE; see the session note).
            "--workers", "1",
            # A debug build on two cores embeds a 4,096-character question slowly.
            "--request-timeout", "120",
            *sys.argv[1:],
        ]
        print(" ".join(command), flush=True)
        code = subprocess.run(command, env=env).returncode
    if code != 0:
        # The server's own account of what failed (errors and warnings, the last 40).
        with open(log) as f:
            lines = [line.rstrip() for line in f if "ERROR" in line or "WARN" in line]
        print(f"== the server's errors and warnings ({log})", *lines[-40:], sep="\n")
    sys.exit(code)


if __name__ == "__main__":
    main()
