from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_envelope import ErrorEnvelope
from ...models.eval_comparison import EvalComparison
from typing import cast



def _get_kwargs(
    *,
    base: str,
    head: str,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["base"] = base

    params["head"] = head


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/eval-runs/compare",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorEnvelope | EvalComparison:
    if response.status_code == 200:
        response_200 = EvalComparison.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())



        return response_403

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())



        return response_429

    response_default = ErrorEnvelope.from_dict(response.json())



    return response_default



def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorEnvelope | EvalComparison]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    base: str,
    head: str,

) -> Response[ErrorEnvelope | EvalComparison]:
    """ Compare two runs of one eval set (`base`, `head`)

     Requires the `read` scope.

    Args:
        base (str):
        head (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | EvalComparison]
     """


    kwargs = _get_kwargs(
        base=base,
head=head,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    base: str,
    head: str,

) -> ErrorEnvelope | EvalComparison | None:
    """ Compare two runs of one eval set (`base`, `head`)

     Requires the `read` scope.

    Args:
        base (str):
        head (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | EvalComparison
     """


    return sync_detailed(
        client=client,
base=base,
head=head,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    base: str,
    head: str,

) -> Response[ErrorEnvelope | EvalComparison]:
    """ Compare two runs of one eval set (`base`, `head`)

     Requires the `read` scope.

    Args:
        base (str):
        head (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | EvalComparison]
     """


    kwargs = _get_kwargs(
        base=base,
head=head,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    base: str,
    head: str,

) -> ErrorEnvelope | EvalComparison | None:
    """ Compare two runs of one eval set (`base`, `head`)

     Requires the `read` scope.

    Args:
        base (str):
        head (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | EvalComparison
     """


    return (await asyncio_detailed(
        client=client,
base=base,
head=head,

    )).parsed
