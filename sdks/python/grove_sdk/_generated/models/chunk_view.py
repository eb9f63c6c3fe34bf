from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="ChunkView")



@_attrs_define
class ChunkView:
    """ A chunk as indexed.

        Attributes:
            chunk_id (str):
            document_id (str):
            end_offset (int):
            heading_path (list[str]): Headings above the chunk, outermost first.
            start_offset (int): Byte offsets of the chunk in its document's text.
            text (str):
            token_count (int): Tokens of the embedding model's tokenizer in `text`, counted when
                shown (an estimate from words when no tokenizer is loaded).
     """

    chunk_id: str
    document_id: str
    end_offset: int
    heading_path: list[str]
    start_offset: int
    text: str
    token_count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        chunk_id = self.chunk_id

        document_id = self.document_id

        end_offset = self.end_offset

        heading_path = self.heading_path



        start_offset = self.start_offset

        text = self.text

        token_count = self.token_count


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chunk_id": chunk_id,
            "document_id": document_id,
            "end_offset": end_offset,
            "heading_path": heading_path,
            "start_offset": start_offset,
            "text": text,
            "token_count": token_count,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        chunk_id = d.pop("chunk_id")

        document_id = d.pop("document_id")

        end_offset = d.pop("end_offset")

        heading_path = cast(list[str], d.pop("heading_path"))


        start_offset = d.pop("start_offset")

        text = d.pop("text")

        token_count = d.pop("token_count")

        chunk_view = cls(
            chunk_id=chunk_id,
            document_id=document_id,
            end_offset=end_offset,
            heading_path=heading_path,
            start_offset=start_offset,
            text=text,
            token_count=token_count,
        )


        chunk_view.additional_properties = d
        return chunk_view

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
