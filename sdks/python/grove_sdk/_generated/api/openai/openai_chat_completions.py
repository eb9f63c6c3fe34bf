from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.chat_completion import ChatCompletion
from ...models.chat_completion_request import ChatCompletionRequest
from ...models.open_ai_error_envelope import OpenAiErrorEnvelope
from typing import cast



def _get_kwargs(
    *,
    body: ChatCompletionRequest,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/chat/completions",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ChatCompletion | OpenAiErrorEnvelope:
    if response.status_code == 200:
        response_200 = ChatCompletion.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = OpenAiErrorEnvelope.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = OpenAiErrorEnvelope.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = OpenAiErrorEnvelope.from_dict(response.json())



        return response_403

    if response.status_code == 429:
        response_429 = OpenAiErrorEnvelope.from_dict(response.json())



        return response_429

    response_default = OpenAiErrorEnvelope.from_dict(response.json())



    return response_default



def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ChatCompletion | OpenAiErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ChatCompletionRequest,

) -> Response[ChatCompletion | OpenAiErrorEnvelope]:
    """ Ask an agent in OpenAI's Chat Completions format (JSON, or chat.completion.chunk events with stream:
    true)

     Requires the `execute` scope.

    Args:
        body (ChatCompletionRequest): OpenAI's request. Fields other clients send and Grove has no
            use for
            (`n`, `top_p`, `user`, `metadata`, …) are accepted and ignored, as
            OpenAI-compatible servers do.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChatCompletion | OpenAiErrorEnvelope]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body: ChatCompletionRequest,

) -> ChatCompletion | OpenAiErrorEnvelope | None:
    """ Ask an agent in OpenAI's Chat Completions format (JSON, or chat.completion.chunk events with stream:
    true)

     Requires the `execute` scope.

    Args:
        body (ChatCompletionRequest): OpenAI's request. Fields other clients send and Grove has no
            use for
            (`n`, `top_p`, `user`, `metadata`, …) are accepted and ignored, as
            OpenAI-compatible servers do.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChatCompletion | OpenAiErrorEnvelope
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ChatCompletionRequest,

) -> Response[ChatCompletion | OpenAiErrorEnvelope]:
    """ Ask an agent in OpenAI's Chat Completions format (JSON, or chat.completion.chunk events with stream:
    true)

     Requires the `execute` scope.

    Args:
        body (ChatCompletionRequest): OpenAI's request. Fields other clients send and Grove has no
            use for
            (`n`, `top_p`, `user`, `metadata`, …) are accepted and ignored, as
            OpenAI-compatible servers do.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ChatCompletion | OpenAiErrorEnvelope]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ChatCompletionRequest,

) -> ChatCompletion | OpenAiErrorEnvelope | None:
    """ Ask an agent in OpenAI's Chat Completions format (JSON, or chat.completion.chunk events with stream:
    true)

     Requires the `execute` scope.

    Args:
        body (ChatCompletionRequest): OpenAI's request. Fields other clients send and Grove has no
            use for
            (`n`, `top_p`, `user`, `metadata`, …) are accepted and ignored, as
            OpenAI-compatible servers do.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ChatCompletion | OpenAiErrorEnvelope
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
