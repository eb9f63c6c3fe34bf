from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.analytics import Analytics
from ...models.error_envelope import ErrorEnvelope
from ...models.get_analytics_granularity import GetAnalyticsGranularity
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    start_date: datetime.date,
    end_date: datetime.date,
    agent_id: str | Unset = UNSET,
    granularity: GetAnalyticsGranularity | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_start_date = start_date.isoformat()
    params["start_date"] = json_start_date

    json_end_date = end_date.isoformat()
    params["end_date"] = json_end_date

    params["agent_id"] = agent_id

    json_granularity: str | Unset = UNSET
    if not isinstance(granularity, Unset):
        json_granularity = granularity.value

    params["granularity"] = json_granularity


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/analytics",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Analytics | ErrorEnvelope:
    if response.status_code == 200:
        response_200 = Analytics.from_dict(response.json())



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



def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Analytics | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    start_date: datetime.date,
    end_date: datetime.date,
    agent_id: str | Unset = UNSET,
    granularity: GetAnalyticsGranularity | Unset = UNSET,

) -> Response[Analytics | ErrorEnvelope]:
    """ Query metrics and a latency time series over a range of days

     Requires the `admin` scope.

    Args:
        start_date (datetime.date):
        end_date (datetime.date):
        agent_id (str | Unset):
        granularity (GetAnalyticsGranularity | Unset): The width of a time-series bucket, in UTC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Analytics | ErrorEnvelope]
     """


    kwargs = _get_kwargs(
        start_date=start_date,
end_date=end_date,
agent_id=agent_id,
granularity=granularity,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    start_date: datetime.date,
    end_date: datetime.date,
    agent_id: str | Unset = UNSET,
    granularity: GetAnalyticsGranularity | Unset = UNSET,

) -> Analytics | ErrorEnvelope | None:
    """ Query metrics and a latency time series over a range of days

     Requires the `admin` scope.

    Args:
        start_date (datetime.date):
        end_date (datetime.date):
        agent_id (str | Unset):
        granularity (GetAnalyticsGranularity | Unset): The width of a time-series bucket, in UTC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Analytics | ErrorEnvelope
     """


    return sync_detailed(
        client=client,
start_date=start_date,
end_date=end_date,
agent_id=agent_id,
granularity=granularity,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    start_date: datetime.date,
    end_date: datetime.date,
    agent_id: str | Unset = UNSET,
    granularity: GetAnalyticsGranularity | Unset = UNSET,

) -> Response[Analytics | ErrorEnvelope]:
    """ Query metrics and a latency time series over a range of days

     Requires the `admin` scope.

    Args:
        start_date (datetime.date):
        end_date (datetime.date):
        agent_id (str | Unset):
        granularity (GetAnalyticsGranularity | Unset): The width of a time-series bucket, in UTC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Analytics | ErrorEnvelope]
     """


    kwargs = _get_kwargs(
        start_date=start_date,
end_date=end_date,
agent_id=agent_id,
granularity=granularity,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    start_date: datetime.date,
    end_date: datetime.date,
    agent_id: str | Unset = UNSET,
    granularity: GetAnalyticsGranularity | Unset = UNSET,

) -> Analytics | ErrorEnvelope | None:
    """ Query metrics and a latency time series over a range of days

     Requires the `admin` scope.

    Args:
        start_date (datetime.date):
        end_date (datetime.date):
        agent_id (str | Unset):
        granularity (GetAnalyticsGranularity | Unset): The width of a time-series bucket, in UTC.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Analytics | ErrorEnvelope
     """


    return (await asyncio_detailed(
        client=client,
start_date=start_date,
end_date=end_date,
agent_id=agent_id,
granularity=granularity,

    )).parsed
