from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.create_kb_article_body import CreateKbArticleBody
from ...models.error_envelope import ErrorEnvelope
from ...models.kb_article import KbArticle
from typing import cast



def _get_kwargs(
    *,
    body: CreateKbArticleBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/kb",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorEnvelope | KbArticle:
    if response.status_code == 201:
        response_201 = KbArticle.from_dict(response.json())



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



def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorEnvelope | KbArticle]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateKbArticleBody,

) -> Response[ErrorEnvelope | KbArticle]:
    """ Create a knowledge-base article (version 1; draft by default)

     Requires the `write` scope.

    Args:
        body (CreateKbArticleBody): An article as created or updated. On create, `title` and
            `content` are
            required, `tags` default to none and `status` to `draft`; on update
            every field is optional and the given ones replace the stored ones.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | KbArticle]
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
    body: CreateKbArticleBody,

) -> ErrorEnvelope | KbArticle | None:
    """ Create a knowledge-base article (version 1; draft by default)

     Requires the `write` scope.

    Args:
        body (CreateKbArticleBody): An article as created or updated. On create, `title` and
            `content` are
            required, `tags` default to none and `status` to `draft`; on update
            every field is optional and the given ones replace the stored ones.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | KbArticle
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateKbArticleBody,

) -> Response[ErrorEnvelope | KbArticle]:
    """ Create a knowledge-base article (version 1; draft by default)

     Requires the `write` scope.

    Args:
        body (CreateKbArticleBody): An article as created or updated. On create, `title` and
            `content` are
            required, `tags` default to none and `status` to `draft`; on update
            every field is optional and the given ones replace the stored ones.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | KbArticle]
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
    body: CreateKbArticleBody,

) -> ErrorEnvelope | KbArticle | None:
    """ Create a knowledge-base article (version 1; draft by default)

     Requires the `write` scope.

    Args:
        body (CreateKbArticleBody): An article as created or updated. On create, `title` and
            `content` are
            required, `tags` default to none and `status` to `draft`; on update
            every field is optional and the given ones replace the stored ones.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | KbArticle
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
