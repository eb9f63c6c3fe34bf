from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.chunk_view import ChunkView
  from ..models.document_view import DocumentView





T = TypeVar("T", bound="DocumentDetailView")



@_attrs_define
class DocumentDetailView:
    """ A document with one page of its chunks, in text order; `total` counts
    the chunks.

        Attributes:
            chunks (list[ChunkView]):
            document (DocumentView): A document as listed and shown.
            limit (int):
            offset (int):
            total (int):
     """

    chunks: list[ChunkView]
    document: DocumentView
    limit: int
    offset: int
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.chunk_view import ChunkView # noqa: PLC0415
        from ..models.document_view import DocumentView # noqa: PLC0415
        chunks = []
        for chunks_item_data in self.chunks:
            chunks_item = chunks_item_data.to_dict()
            chunks.append(chunks_item)



        document = self.document.to_dict()

        limit = self.limit

        offset = self.offset

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chunks": chunks,
            "document": document,
            "limit": limit,
            "offset": offset,
            "total": total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chunk_view import ChunkView # noqa: PLC0415
        from ..models.document_view import DocumentView # noqa: PLC0415
        d = dict(src_dict)
        chunks = []
        _chunks = d.pop("chunks")
        for chunks_item_data in (_chunks):
            chunks_item = ChunkView.from_dict(chunks_item_data)



            chunks.append(chunks_item)


        document = DocumentView.from_dict(d.pop("document"))




        limit = d.pop("limit")

        offset = d.pop("offset")

        total = d.pop("total")

        document_detail_view = cls(
            chunks=chunks,
            document=document,
            limit=limit,
            offset=offset,
            total=total,
        )


        document_detail_view.additional_properties = d
        return document_detail_view

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
