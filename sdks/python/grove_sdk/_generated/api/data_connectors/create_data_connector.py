from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.create_data_connector_body import CreateDataConnectorBody
from ...models.data_connector import DataConnector
from ...models.error_envelope import ErrorEnvelope
from typing import cast



def _get_kwargs(
    *,
    body: CreateDataConnectorBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/data-connectors",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DataConnector | ErrorEnvelope:
    if response.status_code == 201:
        response_201 = DataConnector.from_dict(response.json())



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



def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[DataConnector | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateDataConnectorBody,

) -> Response[DataConnector | ErrorEnvelope]:
    """ Create a data connector (PostgreSQL, MySQL, SQLite, BigQuery)

     Requires the `write` scope.

    Args:
        body (CreateDataConnectorBody): A connector as created or updated. On create `name`,
            `type`, `config`
            and `allowed_datasets` are required (SQLite's defaults to `["main"]`);
            on update every field is optional (a new `type` needs its `config`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DataConnector | ErrorEnvelope]
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
    body: CreateDataConnectorBody,

) -> DataConnector | ErrorEnvelope | None:
    """ Create a data connector (PostgreSQL, MySQL, SQLite, BigQuery)

     Requires the `write` scope.

    Args:
        body (CreateDataConnectorBody): A connector as created or updated. On create `name`,
            `type`, `config`
            and `allowed_datasets` are required (SQLite's defaults to `["main"]`);
            on update every field is optional (a new `type` needs its `config`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DataConnector | ErrorEnvelope
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateDataConnectorBody,

) -> Response[DataConnector | ErrorEnvelope]:
    """ Create a data connector (PostgreSQL, MySQL, SQLite, BigQuery)

     Requires the `write` scope.

    Args:
        body (CreateDataConnectorBody): A connector as created or updated. On create `name`,
            `type`, `config`
            and `allowed_datasets` are required (SQLite's defaults to `["main"]`);
            on update every field is optional (a new `type` needs its `config`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DataConnector | ErrorEnvelope]
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
    body: CreateDataConnectorBody,

) -> DataConnector | ErrorEnvelope | None:
    """ Create a data connector (PostgreSQL, MySQL, SQLite, BigQuery)

     Requires the `write` scope.

    Args:
        body (CreateDataConnectorBody): A connector as created or updated. On create `name`,
            `type`, `config`
            and `allowed_datasets` are required (SQLite's defaults to `["main"]`);
            on update every field is optional (a new `type` needs its `config`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DataConnector | ErrorEnvelope
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
