from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.span import Span





T = TypeVar("T", bound="CitedSource")



@_attrs_define
class CitedSource:
    """ A source an answer was given from.

        Attributes:
            chunk_id (str):
            chunk_text (str):
            cited (bool): Whether the answer carries a marker pointing here.
            data_source_id (str):
            document_id (str):
            document_title (str):
            number (int): The number the answer cites it by (`[1]` is the first source).
            similarity_score (float):
            document_url (None | str | Unset):
            span (None | Span | Unset):
     """

    chunk_id: str
    chunk_text: str
    cited: bool
    data_source_id: str
    document_id: str
    document_title: str
    number: int
    similarity_score: float
    document_url: None | str | Unset = UNSET
    span: None | Span | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.span import Span # noqa: PLC0415
        chunk_id = self.chunk_id

        chunk_text = self.chunk_text

        cited = self.cited

        data_source_id = self.data_source_id

        document_id = self.document_id

        document_title = self.document_title

        number = self.number

        similarity_score = self.similarity_score

        document_url: None | str | Unset
        if isinstance(self.document_url, Unset):
            document_url = UNSET
        else:
            document_url = self.document_url

        span: dict[str, Any] | None | Unset
        if isinstance(self.span, Unset):
            span = UNSET
        elif isinstance(self.span, Span):
            span = self.span.to_dict()
        else:
            span = self.span


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chunk_id": chunk_id,
            "chunk_text": chunk_text,
            "cited": cited,
            "data_source_id": data_source_id,
            "document_id": document_id,
            "document_title": document_title,
            "number": number,
            "similarity_score": similarity_score,
        })
        if document_url is not UNSET:
            field_dict["document_url"] = document_url
        if span is not UNSET:
            field_dict["span"] = span

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.span import Span # noqa: PLC0415
        d = dict(src_dict)
        chunk_id = d.pop("chunk_id")

        chunk_text = d.pop("chunk_text")

        cited = d.pop("cited")

        data_source_id = d.pop("data_source_id")

        document_id = d.pop("document_id")

        document_title = d.pop("document_title")

        number = d.pop("number")

        similarity_score = d.pop("similarity_score")

        def _parse_document_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        document_url = _parse_document_url(d.pop("document_url", UNSET))


        def _parse_span(data: object) -> None | Span | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                span_type_1 = Span.from_dict(data)



                return span_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Span | Unset, data)

        span = _parse_span(d.pop("span", UNSET))


        cited_source = cls(
            chunk_id=chunk_id,
            chunk_text=chunk_text,
            cited=cited,
            data_source_id=data_source_id,
            document_id=document_id,
            document_title=document_title,
            number=number,
            similarity_score=similarity_score,
            document_url=document_url,
            span=span,
        )


        cited_source.additional_properties = d
        return cited_source

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
