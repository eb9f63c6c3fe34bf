from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.model_view import ModelView
from ...models.open_ai_error_envelope import OpenAiErrorEnvelope
from typing import cast



def _get_kwargs(
    model: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/models/{model}".format(model=quote(str(model), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ModelView | OpenAiErrorEnvelope:
    if response.status_code == 200:
        response_200 = ModelView.from_dict(response.json())



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

    if response.status_code == 404:
        response_404 = OpenAiErrorEnvelope.from_dict(response.json())



        return response_404

    if response.status_code == 429:
        response_429 = OpenAiErrorEnvelope.from_dict(response.json())



        return response_429

    response_default = OpenAiErrorEnvelope.from_dict(response.json())



    return response_default



def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ModelView | OpenAiErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    model: str,
    *,
    client: AuthenticatedClient,

) -> Response[ModelView | OpenAiErrorEnvelope]:
    """ One agent as an OpenAI-compatible model (by slug or id)

     Requires the `execute` scope.

    Args:
        model (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ModelView | OpenAiErrorEnvelope]
     """


    kwargs = _get_kwargs(
        model=model,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    model: str,
    *,
    client: AuthenticatedClient,

) -> ModelView | OpenAiErrorEnvelope | None:
    """ One agent as an OpenAI-compatible model (by slug or id)

     Requires the `execute` scope.

    Args:
        model (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ModelView | OpenAiErrorEnvelope
     """


    return sync_detailed(
        model=model,
client=client,

    ).parsed

async def asyncio_detailed(
    model: str,
    *,
    client: AuthenticatedClient,

) -> Response[ModelView | OpenAiErrorEnvelope]:
    """ One agent as an OpenAI-compatible model (by slug or id)

     Requires the `execute` scope.

    Args:
        model (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ModelView | OpenAiErrorEnvelope]
     """


    kwargs = _get_kwargs(
        model=model,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    model: str,
    *,
    client: AuthenticatedClient,

) -> ModelView | OpenAiErrorEnvelope | None:
    """ One agent as an OpenAI-compatible model (by slug or id)

     Requires the `execute` scope.

    Args:
        model (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ModelView | OpenAiErrorEnvelope
     """


    return (await asyncio_detailed(
        model=model,
client=client,

    )).parsed
