from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="SearchChunk")



@_attrs_define
class SearchChunk:
    """ 
        Attributes:
            chunk_id (str):
            data_source_id (str):
            document_id (str):
            document_title (str):
            end_offset (int):
            heading_path (list[str]):
            raw_score (float): The score before calibration: the cosine similarity (without a
                model, the same as `similarity_score`).
            similarity_score (float): The estimated relevance, 0 to 1: the embedder's cosine through its
                calibration (see docs/API.md); without a model, BM25 relative to the
                best hit.
            start_offset (int): Byte offsets of the chunk in its document's text.
            text (str):
            document_url (None | str | Unset):
     """

    chunk_id: str
    data_source_id: str
    document_id: str
    document_title: str
    end_offset: int
    heading_path: list[str]
    raw_score: float
    similarity_score: float
    start_offset: int
    text: str
    document_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        chunk_id = self.chunk_id

        data_source_id = self.data_source_id

        document_id = self.document_id

        document_title = self.document_title

        end_offset = self.end_offset

        heading_path = self.heading_path



        raw_score = self.raw_score

        similarity_score = self.similarity_score

        start_offset = self.start_offset

        text = self.text

        document_url: None | str | Unset
        if isinstance(self.document_url, Unset):
            document_url = UNSET
        else:
            document_url = self.document_url


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chunk_id": chunk_id,
            "data_source_id": data_source_id,
            "document_id": document_id,
            "document_title": document_title,
            "end_offset": end_offset,
            "heading_path": heading_path,
            "raw_score": raw_score,
            "similarity_score": similarity_score,
            "start_offset": start_offset,
            "text": text,
        })
        if document_url is not UNSET:
            field_dict["document_url"] = document_url

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        chunk_id = d.pop("chunk_id")

        data_source_id = d.pop("data_source_id")

        document_id = d.pop("document_id")

        document_title = d.pop("document_title")

        end_offset = d.pop("end_offset")

        heading_path = cast(list[str], d.pop("heading_path"))


        raw_score = d.pop("raw_score")

        similarity_score = d.pop("similarity_score")

        start_offset = d.pop("start_offset")

        text = d.pop("text")

        def _parse_document_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        document_url = _parse_document_url(d.pop("document_url", UNSET))


        search_chunk = cls(
            chunk_id=chunk_id,
            data_source_id=data_source_id,
            document_id=document_id,
            document_title=document_title,
            end_offset=end_offset,
            heading_path=heading_path,
            raw_score=raw_score,
            similarity_score=similarity_score,
            start_offset=start_offset,
            text=text,
            document_url=document_url,
        )


        search_chunk.additional_properties = d
        return search_chunk

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
