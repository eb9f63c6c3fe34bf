from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.channel import Channel
from ...models.create_notification_channel_body import CreateNotificationChannelBody
from ...models.error_envelope import ErrorEnvelope
from typing import cast



def _get_kwargs(
    *,
    body: CreateNotificationChannelBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/notification-channels",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Channel | ErrorEnvelope:
    if response.status_code == 201:
        response_201 = Channel.from_dict(response.json())



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



def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Channel | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateNotificationChannelBody,

) -> Response[Channel | ErrorEnvelope]:
    """ Create a notification channel (email, Slack or Teams)

     Requires the `write` scope.

    Args:
        body (CreateNotificationChannelBody): A channel as created or updated. On create, `name`,
            `kind` and
            `config` are required; on update every field is optional (a new
            `kind` needs its `config`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Channel | ErrorEnvelope]
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
    body: CreateNotificationChannelBody,

) -> Channel | ErrorEnvelope | None:
    """ Create a notification channel (email, Slack or Teams)

     Requires the `write` scope.

    Args:
        body (CreateNotificationChannelBody): A channel as created or updated. On create, `name`,
            `kind` and
            `config` are required; on update every field is optional (a new
            `kind` needs its `config`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Channel | ErrorEnvelope
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateNotificationChannelBody,

) -> Response[Channel | ErrorEnvelope]:
    """ Create a notification channel (email, Slack or Teams)

     Requires the `write` scope.

    Args:
        body (CreateNotificationChannelBody): A channel as created or updated. On create, `name`,
            `kind` and
            `config` are required; on update every field is optional (a new
            `kind` needs its `config`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Channel | ErrorEnvelope]
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
    body: CreateNotificationChannelBody,

) -> Channel | ErrorEnvelope | None:
    """ Create a notification channel (email, Slack or Teams)

     Requires the `write` scope.

    Args:
        body (CreateNotificationChannelBody): A channel as created or updated. On create, `name`,
            `kind` and
            `config` are required; on update every field is optional (a new
            `kind` needs its `config`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Channel | ErrorEnvelope
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
