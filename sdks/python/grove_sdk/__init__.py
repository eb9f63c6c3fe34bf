"""Grove's Python SDK: a thin hand-written facade over the client generated from Grove's
committed OpenAPI document (`grove_sdk._generated`, by openapi-python-client; regenerate with
`sdks/python/generate.sh`).

    from grove_sdk import Grove

    grove = Grove(api_key="grove_live_…", base_url="http://localhost:8080")
    answer = grove.query(agent_id="agent_…", query="When do the vents open?")
    for event in grove.query_stream(agent_id="agent_…", query="…"):
        print(event.delta or "", end="")  # then event.sources on the last one

Errors are `GroveError` subclasses carrying `status`, `code`, `message`, `details` and
`request_id`. A 429 is retried after its `Retry-After`, a 5xx (or a dropped connection) after
an exponential backoff, up to `max_retries` times; a 4xx never is.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Iterator

import httpx

from ._generated.api.agents import get_agent, list_agents
from ._generated.api.data_sources import get_data_source, list_data_sources
from ._generated.api.jobs import get_run, run_job
from ._generated.api.query import query as query_api
from ._generated.api.search import semantic_search
from ._generated.client import AuthenticatedClient
from ._generated.models import QueryRequest, RunRequest, SemanticSearch
from ._generated.models.run_request_parameters_type_0 import RunRequestParametersType0
from ._generated.models.search_mode import SearchMode

__all__ = [
    "Grove",
    "AsyncGrove",
    "StreamEvent",
    "GroveError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
]

DEFAULT_BASE_URL = "http://127.0.0.1:8080"


class GroveError(Exception):
    """An error answer of the Grove API (its error envelope), or a connection that failed."""

    def __init__(self, status: int, code: str, message: str, details: Any = None, request_id: str | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details if details is not None else {}
        self.request_id = request_id


class BadRequestError(GroveError):
    """400 (and 422): `details.field` names the field, `details.reason` says why."""


class AuthenticationError(GroveError):
    """401: no key, or an unknown, revoked or expired one."""


class PermissionDeniedError(GroveError):
    """403: the key lacks the scope, or its user the role."""


class NotFoundError(GroveError):
    """404: nothing with this id in the key's organisation."""


class ConflictError(GroveError):
    """409: for example a job that is already running."""


class RateLimitError(GroveError):
    """429 after the retries: the key's rate limit is spent."""


class ServerError(GroveError):
    """5xx after the retries, or a connection that could not be made."""


_BY_STATUS = {400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError,
              404: NotFoundError, 409: ConflictError, 422: BadRequestError, 429: RateLimitError}


def _error(response: httpx.Response) -> GroveError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = body.get("error", {}) if isinstance(body, dict) else {}
    kind = _BY_STATUS.get(response.status_code, ServerError if response.status_code >= 500 else GroveError)
    return kind(
        response.status_code,
        error.get("code", "unknown"),
        error.get("message", response.text[:200]),
        error.get("details"),
        body.get("request_id") if isinstance(body, dict) else response.headers.get("x-request-id"),
    )


def _retry_delay(response: httpx.Response | None, attempt: int) -> float | None:
    """Seconds to wait before retrying, or None when the answer must not be retried."""
    if response is not None and response.status_code == 429:
        try:
            return min(float(response.headers.get("retry-after", "1")), 60.0)
        except ValueError:
            return 1.0
    if response is None or response.status_code >= 500:
        return min(0.5 * 2**attempt, 8.0) * (0.5 + random.random() / 2)
    return None


@dataclass
class StreamEvent:
    """One event of a streamed answer: text as it is generated (`delta`), then a last event
    (`done`) with the cited `sources` and the `metadata`, or the `error`."""

    delta: str = ""
    done: bool = False
    sources: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None


def _event(data: str) -> StreamEvent:
    frame = json.loads(data)
    return StreamEvent(
        delta=frame.get("delta", ""),
        done=bool(frame.get("done")),
        sources=frame.get("sources", []),
        metadata=frame.get("metadata", {}),
        error=frame.get("error"),
    )


def _query_body(agent_id: str, query: str, session_id: str | None, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"agent_id": agent_id, "query": query, "stream": stream}
    if session_id is not None:
        body["session_id"] = session_id
    return body


def _search_body(org_id: str, query: str, top_k: int | None, mode: str | None,
                 data_source_ids: list[str] | None) -> SemanticSearch:
    body = SemanticSearch(org_id=org_id, query=query)
    if top_k is not None:
        body.top_k = top_k
    if mode is not None:
        body.mode = SearchMode(mode)
    if data_source_ids is not None:
        body.data_source_ids = data_source_ids
    return body


def _client(api_key: str | None, base_url: str | None, timeout: float) -> AuthenticatedClient:
    key = api_key or os.environ.get("GROVE_API_KEY")
    if not key:
        raise ValueError("an API key is needed: Grove(api_key=…) or GROVE_API_KEY")
    url = (base_url or os.environ.get("GROVE_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    return AuthenticatedClient(base_url=url, token=key, timeout=httpx.Timeout(timeout))


class Grove:
    """A synchronous client. `agents`, `data_sources` and `jobs` group their resources."""

    def __init__(self, api_key: str | None = None, base_url: str | None = None, *,
                 organization_id: str | None = None, timeout: float = 120.0, max_retries: int = 2):
        self._client = _client(api_key, base_url, timeout)
        self._organization_id = organization_id or os.environ.get("GROVE_ORGANIZATION_ID")
        self.max_retries = max_retries
        self.agents = _Agents(self)
        self.data_sources = _DataSources(self)
        self.jobs = _Jobs(self)

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Calls a generated `sync_detailed`, retrying as the module says; the parsed body."""
        for attempt in range(self.max_retries + 1):
            try:
                response = fn(*args, client=self._client, **kwargs)
                raw = httpx.Response(response.status_code, headers=response.headers, content=response.content)
            except httpx.TransportError as e:
                raw, failure = None, e
            if raw is not None and raw.status_code < 400:
                return response.parsed
            delay = _retry_delay(raw, attempt)
            if delay is None or attempt == self.max_retries:
                if raw is None:
                    raise ServerError(0, "connection_failed", str(failure)) from failure
                raise _error(raw)
            time.sleep(delay)
        raise AssertionError("unreachable")

    def query(self, agent_id: str, query: str, session_id: str | None = None):
        """Asks an agent; the answer with its sources and metadata (a generated `QueryResponse`)."""
        body = QueryRequest.from_dict(_query_body(agent_id, query, session_id, False))
        return self._call(query_api.sync_detailed, body=body)

    def query_stream(self, agent_id: str, query: str, session_id: str | None = None) -> Iterator[StreamEvent]:
        """Asks an agent and yields the answer as it is generated, then a last event with the
        sources. An error before the stream starts raises; one during it is the last event's `error`."""
        http = self._client.get_httpx_client()
        for attempt in range(self.max_retries + 1):
            try:
                with http.stream("POST", "/api/v1/query", json=_query_body(agent_id, query, session_id, True)) as response:
                    if response.status_code < 400:
                        for line in response.iter_lines():
                            if line.startswith("data:"):
                                yield _event(line[5:].strip())
                        return
                    response.read()
                    delay = _retry_delay(response, attempt)
                    if delay is None or attempt == self.max_retries:
                        raise _error(response)
            except httpx.TransportError as e:
                if attempt == self.max_retries:
                    raise ServerError(0, "connection_failed", str(e)) from e
                delay = _retry_delay(None, attempt)
            time.sleep(delay)

    def search(self, query: str, *, top_k: int | None = None, mode: str | None = None,
               data_source_ids: list[str] | None = None):
        """Retrieves chunks without generation (a generated `SemanticSearchResults`)."""
        body = _search_body(self.organization_id(), query, top_k, mode, data_source_ids)
        return self._call(semantic_search.sync_detailed, body=body)

    def organization_id(self) -> str:
        """The key's organisation: given, from GROVE_ORGANIZATION_ID, or read from its agents."""
        if self._organization_id is None:
            listed = self._call(list_agents.sync_detailed, limit=1)
            if not listed.agents:
                raise ValueError("pass organization_id: the organisation has no agent to read it from")
            self._organization_id = listed.agents[0].org_id
        return self._organization_id


class _Agents:
    def __init__(self, grove: Grove):
        self._grove = grove

    def list(self, limit: int = 50, offset: int = 0):
        return self._grove._call(list_agents.sync_detailed, limit=limit, offset=offset).agents

    def get(self, agent_id: str):
        return self._grove._call(get_agent.sync_detailed, agent_id)


class _DataSources:
    def __init__(self, grove: Grove):
        self._grove = grove

    def list(self, limit: int = 50, offset: int = 0):
        return self._grove._call(list_data_sources.sync_detailed, limit=limit, offset=offset).data_sources

    def get(self, data_source_id: str):
        return self._grove._call(get_data_source.sync_detailed, data_source_id)


def _run_request(parameters: dict[str, Any] | None) -> RunRequest:
    body = RunRequest()
    if parameters is not None:
        body.parameters = RunRequestParametersType0.from_dict(parameters)
    return body


class _Jobs:
    def __init__(self, grove: Grove):
        self._grove = grove

    def trigger(self, job_id: str, parameters: dict[str, Any] | None = None):
        """Starts a job's run now; the runs started, each with its chat (a generated `Started`)."""
        return self._grove._call(run_job.sync_detailed, job_id, body=_run_request(parameters))

    def get_run(self, run_id: str):
        return self._grove._call(get_run.sync_detailed, run_id)


class AsyncGrove:
    """The asynchronous twin of `Grove`: the same methods, awaited; `query_stream` is an async
    iterator."""

    def __init__(self, api_key: str | None = None, base_url: str | None = None, *,
                 organization_id: str | None = None, timeout: float = 120.0, max_retries: int = 2):
        self._client = _client(api_key, base_url, timeout)
        self._organization_id = organization_id or os.environ.get("GROVE_ORGANIZATION_ID")
        self.max_retries = max_retries
        self.agents = _AsyncAgents(self)
        self.jobs = _AsyncJobs(self)

    async def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        for attempt in range(self.max_retries + 1):
            try:
                response = await fn(*args, client=self._client, **kwargs)
                raw = httpx.Response(response.status_code, headers=response.headers, content=response.content)
            except httpx.TransportError as e:
                raw, failure = None, e
            if raw is not None and raw.status_code < 400:
                return response.parsed
            delay = _retry_delay(raw, attempt)
            if delay is None or attempt == self.max_retries:
                if raw is None:
                    raise ServerError(0, "connection_failed", str(failure)) from failure
                raise _error(raw)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def query(self, agent_id: str, query: str, session_id: str | None = None):
        body = QueryRequest.from_dict(_query_body(agent_id, query, session_id, False))
        return await self._call(query_api.asyncio_detailed, body=body)

    async def query_stream(self, agent_id: str, query: str, session_id: str | None = None) -> AsyncIterator[StreamEvent]:
        http = self._client.get_async_httpx_client()
        for attempt in range(self.max_retries + 1):
            try:
                async with http.stream("POST", "/api/v1/query", json=_query_body(agent_id, query, session_id, True)) as response:
                    if response.status_code < 400:
                        async for line in response.aiter_lines():
                            if line.startswith("data:"):
                                yield _event(line[5:].strip())
                        return
                    await response.aread()
                    delay = _retry_delay(response, attempt)
                    if delay is None or attempt == self.max_retries:
                        raise _error(response)
            except httpx.TransportError as e:
                if attempt == self.max_retries:
                    raise ServerError(0, "connection_failed", str(e)) from e
                delay = _retry_delay(None, attempt)
            await asyncio.sleep(delay)

    async def search(self, query: str, *, top_k: int | None = None, mode: str | None = None,
                     data_source_ids: list[str] | None = None):
        if self._organization_id is None:
            listed = await self._call(list_agents.asyncio_detailed, limit=1)
            if not listed.agents:
                raise ValueError("pass organization_id: the organisation has no agent to read it from")
            self._organization_id = listed.agents[0].org_id
        body = _search_body(self._organization_id, query, top_k, mode, data_source_ids)
        return await self._call(semantic_search.asyncio_detailed, body=body)


class _AsyncAgents:
    def __init__(self, grove: AsyncGrove):
        self._grove = grove

    async def list(self, limit: int = 50, offset: int = 0):
        return (await self._grove._call(list_agents.asyncio_detailed, limit=limit, offset=offset)).agents


class _AsyncJobs:
    def __init__(self, grove: AsyncGrove):
        self._grove = grove

    async def trigger(self, job_id: str, parameters: dict[str, Any] | None = None):
        return await self._grove._call(run_job.asyncio_detailed, job_id, body=_run_request(parameters))
