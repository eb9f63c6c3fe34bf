from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_envelope import ErrorEnvelope
from ...models.upload_files import UploadFiles
from ...models.upload_report import UploadReport
from typing import cast



def _get_kwargs(
    id: str,
    *,
    body: UploadFiles,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/data-sources/{id}/files".format(id=quote(str(id), safe=""),),
    }

    _kwargs["files"] = body.to_multipart()

    headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorEnvelope | UploadReport:
    if response.status_code == 201:
        response_201 = UploadReport.from_dict(response.json())



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

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())



        return response_404

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())



        return response_429

    response_default = ErrorEnvelope.from_dict(response.json())



    return response_default



def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorEnvelope | UploadReport]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    body: UploadFiles,

) -> Response[ErrorEnvelope | UploadReport]:
    """ Upload files (multipart/form-data; PDF, DOCX, HTML, Markdown, text, CSV, zip) and queue a sync

     Requires the `write` scope.

    Args:
        id (str):
        body (UploadFiles): An upload: `multipart/form-data` whose file parts (any field name,
            each
            with a file name) are stored; plain form fields are skipped.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | UploadReport]
     """


    kwargs = _get_kwargs(
        id=id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    id: str,
    *,
    client: AuthenticatedClient,
    body: UploadFiles,

) -> ErrorEnvelope | UploadReport | None:
    """ Upload files (multipart/form-data; PDF, DOCX, HTML, Markdown, text, CSV, zip) and queue a sync

     Requires the `write` scope.

    Args:
        id (str):
        body (UploadFiles): An upload: `multipart/form-data` whose file parts (any field name,
            each
            with a file name) are stored; plain form fields are skipped.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | UploadReport
     """


    return sync_detailed(
        id=id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    body: UploadFiles,

) -> Response[ErrorEnvelope | UploadReport]:
    """ Upload files (multipart/form-data; PDF, DOCX, HTML, Markdown, text, CSV, zip) and queue a sync

     Requires the `write` scope.

    Args:
        id (str):
        body (UploadFiles): An upload: `multipart/form-data` whose file parts (any field name,
            each
            with a file name) are stored; plain form fields are skipped.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | UploadReport]
     """


    kwargs = _get_kwargs(
        id=id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient,
    body: UploadFiles,

) -> ErrorEnvelope | UploadReport | None:
    """ Upload files (multipart/form-data; PDF, DOCX, HTML, Markdown, text, CSV, zip) and queue a sync

     Requires the `write` scope.

    Args:
        id (str):
        body (UploadFiles): An upload: `multipart/form-data` whose file parts (any field name,
            each
            with a file name) are stored; plain form fields are skipped.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | UploadReport
     """


    return (await asyncio_detailed(
        id=id,
client=client,
body=body,

    )).parsed
