from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.legacy_chat_metadata import LegacyChatMetadata
  from ..models.legacy_chat_source import LegacyChatSource





T = TypeVar("T", bound="LegacyChatResponse")



@_attrs_define
class LegacyChatResponse:
    """ 
        Attributes:
            metadata (LegacyChatMetadata):
            response (str):
            sources (list[LegacyChatSource]):
     """

    metadata: LegacyChatMetadata
    response: str
    sources: list[LegacyChatSource]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_chat_metadata import LegacyChatMetadata # noqa: PLC0415
        from ..models.legacy_chat_source import LegacyChatSource # noqa: PLC0415
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
        from ..models.legacy_chat_metadata import LegacyChatMetadata # noqa: PLC0415
        from ..models.legacy_chat_source import LegacyChatSource # noqa: PLC0415
        d = dict(src_dict)
        metadata = LegacyChatMetadata.from_dict(d.pop("metadata"))




        response = d.pop("response")

        sources = []
        _sources = d.pop("sources")
        for sources_item_data in (_sources):
            sources_item = LegacyChatSource.from_dict(sources_item_data)



            sources.append(sources_item)


        legacy_chat_response = cls(
            metadata=metadata,
            response=response,
            sources=sources,
        )


        legacy_chat_response.additional_properties = d
        return legacy_chat_response

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
