from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.create_webhook_body import CreateWebhookBody
from ...models.error_envelope import ErrorEnvelope
from ...models.webhook_with_secret import WebhookWithSecret
from typing import cast



def _get_kwargs(
    *,
    body: CreateWebhookBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/webhooks",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorEnvelope | WebhookWithSecret:
    if response.status_code == 201:
        response_201 = WebhookWithSecret.from_dict(response.json())



        return response_201

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



def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorEnvelope | WebhookWithSecret]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateWebhookBody,

) -> Response[ErrorEnvelope | WebhookWithSecret]:
    """ Create a webhook endpoint; the answer shows its signing secret once

     Requires the `admin` scope.

    Args:
        body (CreateWebhookBody): An endpoint as created or updated. On create, `url` and `events`
            are
            required; on update every field is optional.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | WebhookWithSecret]
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
    body: CreateWebhookBody,

) -> ErrorEnvelope | WebhookWithSecret | None:
    """ Create a webhook endpoint; the answer shows its signing secret once

     Requires the `admin` scope.

    Args:
        body (CreateWebhookBody): An endpoint as created or updated. On create, `url` and `events`
            are
            required; on update every field is optional.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | WebhookWithSecret
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateWebhookBody,

) -> Response[ErrorEnvelope | WebhookWithSecret]:
    """ Create a webhook endpoint; the answer shows its signing secret once

     Requires the `admin` scope.

    Args:
        body (CreateWebhookBody): An endpoint as created or updated. On create, `url` and `events`
            are
            required; on update every field is optional.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | WebhookWithSecret]
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
    body: CreateWebhookBody,

) -> ErrorEnvelope | WebhookWithSecret | None:
    """ Create a webhook endpoint; the answer shows its signing secret once

     Requires the `admin` scope.

    Args:
        body (CreateWebhookBody): An endpoint as created or updated. On create, `url` and `events`
            are
            required; on update every field is optional.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | WebhookWithSecret
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
