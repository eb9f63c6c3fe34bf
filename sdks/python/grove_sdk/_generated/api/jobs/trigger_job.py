from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_envelope import ErrorEnvelope
from ...models.run_request import RunRequest
from ...models.triggered import Triggered
from typing import cast



def _get_kwargs(
    job_id: str,
    *,
    body: RunRequest,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/agents/jobs/{job_id}/trigger".format(job_id=quote(str(job_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorEnvelope | Triggered:
    if response.status_code == 200:
        response_200 = Triggered.from_dict(response.json())



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

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())



        return response_404

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())



        return response_429

    response_default = ErrorEnvelope.from_dict(response.json())



    return response_default



def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorEnvelope | Triggered]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient,
    body: RunRequest,

) -> Response[ErrorEnvelope | Triggered]:
    """ Trigger a job run (API trigger)

     Requires the `execute` scope.

    Args:
        job_id (str):
        body (RunRequest): Parameters of a manual run or API trigger: `parameters` for one run,
            `parameter_sets` for a fan-out; neither runs the job's saved sets (or
            its defaults).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | Triggered]
     """


    kwargs = _get_kwargs(
        job_id=job_id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    job_id: str,
    *,
    client: AuthenticatedClient,
    body: RunRequest,

) -> ErrorEnvelope | Triggered | None:
    """ Trigger a job run (API trigger)

     Requires the `execute` scope.

    Args:
        job_id (str):
        body (RunRequest): Parameters of a manual run or API trigger: `parameters` for one run,
            `parameter_sets` for a fan-out; neither runs the job's saved sets (or
            its defaults).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | Triggered
     """


    return sync_detailed(
        job_id=job_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    job_id: str,
    *,
    client: AuthenticatedClient,
    body: RunRequest,

) -> Response[ErrorEnvelope | Triggered]:
    """ Trigger a job run (API trigger)

     Requires the `execute` scope.

    Args:
        job_id (str):
        body (RunRequest): Parameters of a manual run or API trigger: `parameters` for one run,
            `parameter_sets` for a fan-out; neither runs the job's saved sets (or
            its defaults).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | Triggered]
     """


    kwargs = _get_kwargs(
        job_id=job_id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    job_id: str,
    *,
    client: AuthenticatedClient,
    body: RunRequest,

) -> ErrorEnvelope | Triggered | None:
    """ Trigger a job run (API trigger)

     Requires the `execute` scope.

    Args:
        job_id (str):
        body (RunRequest): Parameters of a manual run or API trigger: `parameters` for one run,
            `parameter_sets` for a fan-out; neither runs the job's saved sets (or
            its defaults).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | Triggered
     """


    return (await asyncio_detailed(
        job_id=job_id,
client=client,
body=body,

    )).parsed
