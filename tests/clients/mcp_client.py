"""The official `mcp` Python package against a live Grove (`grove serve` on a fresh data directory
and a free loopback port), over Streamable HTTP and over `grove mcp --stdio`, each in both
protocol eras (`auto`, which probes `server/discover`, and `legacy`, the initialize handshake):
list the tools, call `search`, `fetch`,
`ask_agent`, `trigger_job` and `get_run`; another organisation's key sees none of this organisation's agents;
a read-only key is not shown `search`, `ask_agent` or `trigger_job` and is refused when it
calls one.

    python tests/clients/mcp_client.py      # GROVE_BIN: the grove binary (default target/debug/grove)

Prints one line per check and a summary; exits non-zero when any check fails.
"""

import asyncio
import json
import os
import sys

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live import GROVE, LiveGrove  # noqa: E402

RESULTS = []


async def check(name, coroutine):
    try:
        await coroutine
        RESULTS.append((name, None))
        print(f"ok   {name}")
    except Exception as e:  # noqa: BLE001 - every failure is reported, then the run fails
        RESULTS.append((name, e))
        print(f"FAIL {name}: {type(e).__name__}: {e!r}")


def client(grove, key, mode):
    if mode.startswith("stdio"):
        env = dict(os.environ, GROVE_API_KEY=key, GROVE_SERVER=grove.base)
        stdio = StdioServerParameters(command=GROVE, args=["mcp", "--stdio"], env=env)
        return Client(stdio, mode=mode.removeprefix("stdio-"))
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60)
    return Client(streamable_http_client(grove.base + "/mcp", http_client=http), mode=mode)


def structured(result):
    assert not result.is_error, result
    return result.structured_content


async def tools_and_search(grove, mode):
    async with client(grove, grove.key, mode) as c:
        names = [t.name for t in (await c.list_tools()).tools]
        assert names == ["search", "fetch", "list_agents", "ask_agent", "list_jobs", "trigger_job", "get_run"], names
        found = structured(await c.call_tool("search", {"query": "When do the greenhouse vents open?"}))
        first = found["results"][0]
        assert first["title"] == "Greenhouse", found
        page = structured(await c.call_tool("fetch", {"id": first["id"]}))
        assert "28 degrees" in page["text"], page
        answer = structured(await c.call_tool("ask_agent", {"agent": grove.agent["slug"], "question": "When do the greenhouse vents open?"}))
        assert "28 degrees" in answer["answer"], answer
        assert answer["citations"][0]["title"] == "Greenhouse", answer
        started = structured(await c.call_tool("trigger_job", {"job": grove.job["id"]}))
        run = started["runs"][0]
        assert run["run_id"].startswith("run_") and run["chat_id"].startswith("chat_"), started
        # The next mode triggers the same job: wait for this run to end.
        for _ in range(300):
            status = structured(await c.call_tool("get_run", {"run_id": run["run_id"]}))["status"]
            if status in ("succeeded", "failed", "cancelled"):
                break
            await asyncio.sleep(0.1)
        assert status == "succeeded", status


async def isolation_and_scopes(grove, mode):
    async with client(grove, grove.other_org_key, mode) as c:
        agents = structured(await c.call_tool("list_agents", {}))["agents"]
        assert agents == [], agents
    async with client(grove, grove.read_only_key, mode) as c:
        names = [t.name for t in (await c.list_tools()).tools]
        assert "trigger_job" not in names and "ask_agent" not in names and "search" not in names, names
        refused = await c.call_tool("trigger_job", {"job": grove.job["id"]})
        assert refused.is_error, refused
        assert json.loads(refused.content[0].text)["error"]["code"] == "forbidden", refused


async def main():
    with LiveGrove() as grove:
        for mode in ("auto", "legacy", "stdio-auto", "stdio-legacy"):
            await check(f"[{mode}] the tools, search, fetch, ask_agent and trigger_job", tools_and_search(grove, mode))
            await check(f"[{mode}] another organisation and a read-only key", isolation_and_scopes(grove, mode))
    failed = [name for name, error in RESULTS if error]
    print(f"mcp: {len(RESULTS) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    asyncio.run(main())
