from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.chat_metadata import ChatMetadata
  from ..models.chat_source import ChatSource





T = TypeVar("T", bound="ChatResponse")



@_attrs_define
class ChatResponse:
    """ 
        Attributes:
            metadata (ChatMetadata):
            response (str):
            sources (list[ChatSource]):
     """

    metadata: ChatMetadata
    response: str
    sources: list[ChatSource]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.chat_metadata import ChatMetadata # noqa: PLC0415
        from ..models.chat_source import ChatSource # noqa: PLC0415
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
        from ..models.chat_metadata import ChatMetadata # noqa: PLC0415
        from ..models.chat_source import ChatSource # noqa: PLC0415
        d = dict(src_dict)
        metadata = ChatMetadata.from_dict(d.pop("metadata"))




        response = d.pop("response")

        sources = []
        _sources = d.pop("sources")
        for sources_item_data in (_sources):
            sources_item = ChatSource.from_dict(sources_item_data)



            sources.append(sources_item)


        chat_response = cls(
            metadata=metadata,
            response=response,
            sources=sources,
        )


        chat_response.additional_properties = d
        return chat_response

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
