"""The official `openai` Python package against a live Grove (`grove serve` on a fresh data
directory and a free loopback port): models.list(), chat.completions.create whole and streamed
with the usage in the last chunk, the url_citation annotations, and errors raised as the SDK's
own exception types (a missing agent, a refused key).

    python tests/clients/openai_compat.py      # GROVE_BIN: the grove binary (default target/debug/grove)

Prints one line per check and a summary; exits non-zero when any check fails.
"""

import os
import re
import sys

import openai

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live import LiveGrove  # noqa: E402

RESULTS = []


def check(name, fn):
    try:
        fn()
        RESULTS.append((name, None))
        print(f"ok   {name}")
    except Exception as e:  # noqa: BLE001 - every failure is reported, then the run fails
        RESULTS.append((name, e))
        print(f"FAIL {name}: {type(e).__name__}: {e}")


def main():
    with LiveGrove() as grove:
        base, key, agent, read_only = grove.base, grove.key, grove.agent, grove.read_only_key
        client = openai.OpenAI(api_key=key, base_url=base + "/v1", max_retries=0)
        question = [{"role": "user", "content": "When do the greenhouse vents open?"}]

        def models():
            listed = [m.id for m in client.models.list()]
            assert listed == [agent["slug"]], listed
            assert client.models.retrieve(agent["id"]).id == agent["slug"]

        def whole():
            c = client.chat.completions.create(model=agent["slug"], messages=question)
            text = c.choices[0].message.content
            assert "28 degrees" in text, text
            assert c.choices[0].finish_reason == "stop"
            assert c.usage.total_tokens == c.usage.prompt_tokens + c.usage.completion_tokens, c.usage
            annotations = c.choices[0].message.annotations
            assert annotations and annotations[0].type == "url_citation", annotations
            citation = annotations[0].url_citation
            assert re.fullmatch(r"\[\d+\]", text[citation.start_index : citation.end_index]), citation
            assert citation.title == "Greenhouse", citation
            assert "Sources:" in text, text

        def streamed():
            stream = client.chat.completions.create(
                model=agent["slug"], messages=question, stream=True, stream_options={"include_usage": True}
            )
            chunks = list(stream)
            text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
            assert "28 degrees" in text, text
            assert chunks[-1].choices == [] and chunks[-1].usage is not None, chunks[-1]
            assert any(c.choices and c.choices[0].finish_reason == "stop" for c in chunks)

        def missing_agent():
            try:
                client.chat.completions.create(model="no-such-agent", messages=question)
            except openai.NotFoundError as e:
                assert e.status_code == 404 and e.body["type"] == "not_found_error", e.body
            else:
                raise AssertionError("no NotFoundError")

        def refused_key():
            refused = openai.OpenAI(api_key=read_only, base_url=base + "/v1", max_retries=0)
            try:
                refused.models.list()
            except openai.PermissionDeniedError as e:
                assert e.status_code == 403 and e.body["code"] == "forbidden", e.body
            else:
                raise AssertionError("no PermissionDeniedError")
            wrong = openai.OpenAI(api_key="grove_live_" + "x" * 40, base_url=base + "/v1", max_retries=0)
            try:
                wrong.models.list()
            except openai.AuthenticationError as e:
                assert e.status_code == 401, e
            else:
                raise AssertionError("no AuthenticationError")

        check("models.list() lists the agent by slug; retrieve() takes its id", models)
        check("chat.completions.create answers with annotations and a sources footer", whole)
        check("a streamed completion ends with the usage chunk", streamed)
        check("a missing agent raises NotFoundError", missing_agent)
        check("a key without execute raises PermissionDeniedError; a wrong one AuthenticationError", refused_key)
    failed = [name for name, error in RESULTS if error]
    print(f"openai-compat: {len(RESULTS) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
