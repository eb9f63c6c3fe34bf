from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.legacy_user import LegacyUser





T = TypeVar("T", bound="LegacyUserList")



@_attrs_define
class LegacyUserList:
    """ 
        Attributes:
            limit (int):
            offset (int):
            total (int):
            users (list[LegacyUser]):
     """

    limit: int
    offset: int
    total: int
    users: list[LegacyUser]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_user import LegacyUser # noqa: PLC0415
        limit = self.limit

        offset = self.offset

        total = self.total

        users = []
        for users_item_data in self.users:
            users_item = users_item_data.to_dict()
            users.append(users_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "limit": limit,
            "offset": offset,
            "total": total,
            "users": users,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_user import LegacyUser # noqa: PLC0415
        d = dict(src_dict)
        limit = d.pop("limit")

        offset = d.pop("offset")

        total = d.pop("total")

        users = []
        _users = d.pop("users")
        for users_item_data in (_users):
            users_item = LegacyUser.from_dict(users_item_data)



            users.append(users_item)


        legacy_user_list = cls(
            limit=limit,
            offset=offset,
            total=total,
            users=users,
        )


        legacy_user_list.additional_properties = d
        return legacy_user_list

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
