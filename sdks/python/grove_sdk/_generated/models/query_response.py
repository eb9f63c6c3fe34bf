from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.cited_source import CitedSource
  from ..models.query_metadata import QueryMetadata





T = TypeVar("T", bound="QueryResponse")



@_attrs_define
class QueryResponse:
    """ 
        Attributes:
            metadata (QueryMetadata):
            response (str):
            sources (list[CitedSource]): Every retrieved source, numbered as the answer cites them; `cited`
                and `span` say which support the answer, and where.
     """

    metadata: QueryMetadata
    response: str
    sources: list[CitedSource]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.cited_source import CitedSource # noqa: PLC0415
        from ..models.query_metadata import QueryMetadata # noqa: PLC0415
        metadata = self.metadata.to_dict()

        response = self.response

        sources = []
        for sources_item_data in self.sources:
            sources_item = sources_item_data.to_dict()
            sources.append(sources_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "metadata": metadata,
            "response": response,
            "sources": sources,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cited_source import CitedSource # noqa: PLC0415
        from ..models.query_metadata import QueryMetadata # noqa: PLC0415
        d = dict(src_dict)
        metadata = QueryMetadata.from_dict(d.pop("metadata"))




        response = d.pop("response")

        sources = []
        _sources = d.pop("sources")
        for sources_item_data in (_sources):
            sources_item = CitedSource.from_dict(sources_item_data)



            sources.append(sources_item)


        query_response = cls(
            metadata=metadata,
            response=response,
            sources=sources,
        )


        query_response.additional_properties = d
        return query_response

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
