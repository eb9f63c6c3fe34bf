from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.legacy_chat_list_item import LegacyChatListItem





T = TypeVar("T", bound="LegacyChatList")



@_attrs_define
class LegacyChatList:
    """ 
        Attributes:
            chats (list[LegacyChatListItem]):
            limit (int):
            offset (int):
            total (int):
     """

    chats: list[LegacyChatListItem]
    limit: int
    offset: int
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_chat_list_item import LegacyChatListItem # noqa: PLC0415
        chats = []
        for chats_item_data in self.chats:
            chats_item = chats_item_data.to_dict()
            chats.append(chats_item)



        limit = self.limit

        offset = self.offset

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chats": chats,
            "limit": limit,
            "offset": offset,
            "total": total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_chat_list_item import LegacyChatListItem # noqa: PLC0415
        d = dict(src_dict)
        chats = []
        _chats = d.pop("chats")
        for chats_item_data in (_chats):
            chats_item = LegacyChatListItem.from_dict(chats_item_data)



            chats.append(chats_item)


        limit = d.pop("limit")

        offset = d.pop("offset")

        total = d.pop("total")

        legacy_chat_list = cls(
            chats=chats,
            limit=limit,
            offset=offset,
            total=total,
        )


        legacy_chat_list.additional_properties = d
        return legacy_chat_list

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
