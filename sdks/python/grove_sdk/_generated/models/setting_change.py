from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.setting_change_base import SettingChangeBase
  from ..models.setting_change_head import SettingChangeHead





T = TypeVar("T", bound="SettingChange")



@_attrs_define
class SettingChange:
    """ A top-level key of the agent snapshots whose values differ.

        Attributes:
            base (SettingChangeBase):
            head (SettingChangeHead):
            key (str):
     """

    base: SettingChangeBase
    head: SettingChangeHead
    key: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.setting_change_base import SettingChangeBase # noqa: PLC0415
        from ..models.setting_change_head import SettingChangeHead # noqa: PLC0415
        base = self.base.to_dict()

        head = self.head.to_dict()

        key = self.key


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "base": base,
            "head": head,
            "key": key,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.setting_change_base import SettingChangeBase # noqa: PLC0415
        from ..models.setting_change_head import SettingChangeHead # noqa: PLC0415
        d = dict(src_dict)
        base = SettingChangeBase.from_dict(d.pop("base"))




        head = SettingChangeHead.from_dict(d.pop("head"))




        key = d.pop("key")

        setting_change = cls(
            base=base,
            head=head,
            key=key,
        )


        setting_change.additional_properties = d
        return setting_change

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
