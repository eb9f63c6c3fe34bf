"""Schemathesis hooks for tests/conformance/run.py: before each call, a valid generated body gets
the fields run.py pinned for its operation (ids of things that exist, the one model this server
has, a slug no other call used), so valid requests reach the handler's logic in every phase. Invalid (negative) cases are
sent as generated. The pins come from the JSON file named by GROVE_CONFORMANCE_PINS.
"""

import itertools
import json
import os

import schemathesis
from schemathesis import GenerationMode

with open(os.environ["GROVE_CONFORMANCE_PINS"]) as f:
    PINS = json.load(f)
# A pinned string with `{n}` gets a number no other call got (slugs must be unique).
COUNTER = itertools.count(1)


def fresh(value):
    return value.replace("{n}", str(next(COUNTER))) if isinstance(value, str) else value


@schemathesis.hook
def before_call(context, case, kwargs):
    pins = PINS.get(case.operation.definition.raw.get("operationId"))
    if not pins or not isinstance(case.body, dict):
        return
    meta = case.meta
    if meta is not None and meta.generation.mode != GenerationMode.POSITIVE:
        return
    case.body.update({name: fresh(value) for name, value in pins.items()})
