from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.model_list import ModelList
from ...models.open_ai_error_envelope import OpenAiErrorEnvelope
from typing import cast



def _get_kwargs(
    
) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/models",
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ModelList | OpenAiErrorEnvelope:
    if response.status_code == 200:
        response_200 = ModelList.from_dict(response.json())



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



def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ModelList | OpenAiErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,

) -> Response[ModelList | OpenAiErrorEnvelope]:
    """ The agents as OpenAI-compatible models

     Requires the `execute` scope.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ModelList | OpenAiErrorEnvelope]
     """


    kwargs = _get_kwargs(
        
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,

) -> ModelList | OpenAiErrorEnvelope | None:
    """ The agents as OpenAI-compatible models

     Requires the `execute` scope.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ModelList | OpenAiErrorEnvelope
     """


    return sync_detailed(
        client=client,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,

) -> Response[ModelList | OpenAiErrorEnvelope]:
    """ The agents as OpenAI-compatible models

     Requires the `execute` scope.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ModelList | OpenAiErrorEnvelope]
     """


    kwargs = _get_kwargs(
        
    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,

) -> ModelList | OpenAiErrorEnvelope | None:
    """ The agents as OpenAI-compatible models

     Requires the `execute` scope.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ModelList | OpenAiErrorEnvelope
     """


    return (await asyncio_detailed(
        client=client,

    )).parsed
