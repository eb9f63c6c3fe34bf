"""Grove's Python SDK (sdks/python) against a live Grove: a query whole and streamed, search,
agents, data sources, a job trigger, a typed error, a 429 retried after its Retry-After, and
the async twin.

    python tests/clients/sdk_python.py      # GROVE_BIN: the grove binary (default target/debug/grove)

Prints one line per check and a summary; exits non-zero when any check fails.
"""

import asyncio
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "sdks", "python"))
from grove_sdk import AsyncGrove, Grove, NotFoundError  # noqa: E402
from live import LiveGrove  # noqa: E402

RESULTS = []
QUESTION = "When do the greenhouse vents open?"


def check(name, fn):
    try:
        fn()
        RESULTS.append((name, None))
        print(f"ok   {name}")
    except Exception as e:  # noqa: BLE001 - every failure is reported, then the run fails
        RESULTS.append((name, e))
        print(f"FAIL {name}: {type(e).__name__}: {e!r}")


# The read scope's limit is small, so a burst of reads meets a 429 and the SDK must wait it out.
READ_LIMIT = {"GROVE_RATE_LIMITS__READ__PER_MINUTE": "60", "GROVE_RATE_LIMITS__READ__BURST": "3"}


def main():
    with LiveGrove(env=READ_LIMIT) as live:
        grove = Grove(api_key=live.key, base_url=live.base)
        agent_id = live.agent["id"]

        def query():
            answer = grove.query(agent_id=agent_id, query=QUESTION)
            assert "28 degrees" in answer.response, answer.response
            cited = [s for s in answer.sources if s.cited]
            assert cited and cited[0].document_title == "Greenhouse", answer.sources
            assert answer.metadata.session_id.startswith("sess_")

        def stream():
            events = list(grove.query_stream(agent_id=agent_id, query=QUESTION))
            text = "".join(e.delta for e in events)
            whole = grove.query(agent_id=agent_id, query=QUESTION).response
            assert text == whole, (text, whole)
            last = events[-1]
            assert last.done and last.error is None, last
            assert any(s["cited"] for s in last.sources), last.sources

        def search():
            found = grove.search(QUESTION, top_k=3)
            assert found.chunks[0].document_title == "Greenhouse", found.chunks

        def listings():
            assert [a.id for a in grove.agents.list()] == [agent_id]
            assert len(grove.data_sources.list()) == 1

        def trigger():
            started = grove.jobs.trigger(live.job["id"])
            run = started.runs[0]
            assert run.chat_id.startswith("chat_"), run
            for _ in range(300):
                status = str(grove.jobs.get_run(run.id).status)
                if status in ("succeeded", "failed"):
                    break
                time.sleep(0.1)
            assert status == "succeeded", status

        def typed_error():
            try:
                grove.agents.get("agent_doesnotexist")
            except NotFoundError as e:
                assert e.status == 404 and e.code == "not_found", e
                assert e.request_id and e.request_id.startswith("req_"), e.request_id
                assert "agent_doesnotexist" in e.message + str(e.details), (e.message, e.details)
            else:
                raise AssertionError("no NotFoundError")

        def retried_429():
            # Spend the read burst, then read on: each 429 is waited out, never raised.
            started = time.monotonic()
            for _ in range(6):
                assert grove.agents.list()
            assert time.monotonic() - started >= 1.0, "no 429 was met"

        def async_twin():
            async def run():
                client = AsyncGrove(api_key=live.key, base_url=live.base)
                answer = await client.query(agent_id=agent_id, query=QUESTION)
                text = "".join([e.delta async for e in client.query_stream(agent_id=agent_id, query=QUESTION)])
                assert text == answer.response, (text, answer.response)
                started = await client.jobs.trigger(live.job["id"])
                assert started.runs
            asyncio.run(run())

        check("query answers with the cited source", query)
        check("query_stream yields the answer's text, then its sources", stream)
        check("search finds the page", search)
        check("agents and data sources are listed", listings)
        check("jobs.trigger starts a run that succeeds", trigger)
        check("a missing agent raises NotFoundError with code, details and request_id", typed_error)
        check("a 429 is retried after its Retry-After", retried_429)
        check("AsyncGrove queries, streams and triggers", async_twin)
    failed = [name for name, error in RESULTS if error]
    print(f"python-sdk: {len(RESULTS) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
