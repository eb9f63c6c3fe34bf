from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.document_status import DocumentStatus
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="DocumentView")



@_attrs_define
class DocumentView:
    """ A document as listed and shown.

        Attributes:
            chunk_count (int): Chunks in the index now.
            data_source_id (str):
            id (str):
            source_key (str): URL, file name or connector item id, unique in the data source.
            status (DocumentStatus): What became of a document the last time it was read: `indexed`
                (its chunks are searchable), `failed` (it could not be fetched or
                read; an earlier version stays indexed if there was one) or
                `skipped` (read, but deliberately not indexed: a redirect stub, an
                unsupported type, no text).
            title (str):
            bytes_ (int | None | Unset): Size of the raw content; null when it was never read.
            content_hash (None | str | Unset): SHA-256 of the raw content (hex) the chunks were made from.
            error (None | str | Unset): Why it failed or was skipped; null when indexed.
            indexed_at (datetime.datetime | None | Unset):
            url (None | str | Unset):
     """

    chunk_count: int
    data_source_id: str
    id: str
    source_key: str
    status: DocumentStatus
    title: str
    bytes_: int | None | Unset = UNSET
    content_hash: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    indexed_at: datetime.datetime | None | Unset = UNSET
    url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        chunk_count = self.chunk_count

        data_source_id = self.data_source_id

        id = self.id

        source_key = self.source_key

        status = self.status.value

        title = self.title

        bytes_: int | None | Unset
        if isinstance(self.bytes_, Unset):
            bytes_ = UNSET
        else:
            bytes_ = self.bytes_

        content_hash: None | str | Unset
        if isinstance(self.content_hash, Unset):
            content_hash = UNSET
        else:
            content_hash = self.content_hash

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        indexed_at: None | str | Unset
        if isinstance(self.indexed_at, Unset):
            indexed_at = UNSET
        elif isinstance(self.indexed_at, datetime.datetime):
            indexed_at = self.indexed_at.isoformat()
        else:
            indexed_at = self.indexed_at

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chunk_count": chunk_count,
            "data_source_id": data_source_id,
            "id": id,
            "source_key": source_key,
            "status": status,
            "title": title,
        })
        if bytes_ is not UNSET:
            field_dict["bytes"] = bytes_
        if content_hash is not UNSET:
            field_dict["content_hash"] = content_hash
        if error is not UNSET:
            field_dict["error"] = error
        if indexed_at is not UNSET:
            field_dict["indexed_at"] = indexed_at
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        chunk_count = d.pop("chunk_count")

        data_source_id = d.pop("data_source_id")

        id = d.pop("id")

        source_key = d.pop("source_key")

        status = DocumentStatus(d.pop("status"))




        title = d.pop("title")

        def _parse_bytes_(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        bytes_ = _parse_bytes_(d.pop("bytes", UNSET))


        def _parse_content_hash(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        content_hash = _parse_content_hash(d.pop("content_hash", UNSET))


        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_indexed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                indexed_at_type_0 = datetime.datetime.fromisoformat(data)



                return indexed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        indexed_at = _parse_indexed_at(d.pop("indexed_at", UNSET))


        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))


        document_view = cls(
            chunk_count=chunk_count,
            data_source_id=data_source_id,
            id=id,
            source_key=source_key,
            status=status,
            title=title,
            bytes_=bytes_,
            content_hash=content_hash,
            error=error,
            indexed_at=indexed_at,
            url=url,
        )


        document_view.additional_properties = d
        return document_view

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
