from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.change_counts import ChangeCounts
  from ..models.item_comparison import ItemComparison
  from ..models.run_side import RunSide
  from ..models.setting_change import SettingChange





T = TypeVar("T", bound="EvalComparison")



@_attrs_define
class EvalComparison:
    """ Two runs of one set side by side.

        Attributes:
            base (RunSide): One run's side of a comparison.
            eval_set_id (str):
            head (RunSide): One run's side of a comparison.
            items (list[ItemComparison]):
            settings_changed (list[SettingChange]):
            summary (ChangeCounts):
     """

    base: RunSide
    eval_set_id: str
    head: RunSide
    items: list[ItemComparison]
    settings_changed: list[SettingChange]
    summary: ChangeCounts
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.change_counts import ChangeCounts # noqa: PLC0415
        from ..models.item_comparison import ItemComparison # noqa: PLC0415
        from ..models.run_side import RunSide # noqa: PLC0415
        from ..models.setting_change import SettingChange # noqa: PLC0415
        base = self.base.to_dict()

        eval_set_id = self.eval_set_id

        head = self.head.to_dict()

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)



        settings_changed = []
        for settings_changed_item_data in self.settings_changed:
            settings_changed_item = settings_changed_item_data.to_dict()
            settings_changed.append(settings_changed_item)



        summary = self.summary.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "base": base,
            "eval_set_id": eval_set_id,
            "head": head,
            "items": items,
            "settings_changed": settings_changed,
            "summary": summary,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.change_counts import ChangeCounts # noqa: PLC0415
        from ..models.item_comparison import ItemComparison # noqa: PLC0415
        from ..models.run_side import RunSide # noqa: PLC0415
        from ..models.setting_change import SettingChange # noqa: PLC0415
        d = dict(src_dict)
        base = RunSide.from_dict(d.pop("base"))




        eval_set_id = d.pop("eval_set_id")

        head = RunSide.from_dict(d.pop("head"))




        items = []
        _items = d.pop("items")
        for items_item_data in (_items):
            items_item = ItemComparison.from_dict(items_item_data)



            items.append(items_item)


        settings_changed = []
        _settings_changed = d.pop("settings_changed")
        for settings_changed_item_data in (_settings_changed):
            settings_changed_item = SettingChange.from_dict(settings_changed_item_data)



            settings_changed.append(settings_changed_item)


        summary = ChangeCounts.from_dict(d.pop("summary"))




        eval_comparison = cls(
            base=base,
            eval_set_id=eval_set_id,
            head=head,
            items=items,
            settings_changed=settings_changed,
            summary=summary,
        )


        eval_comparison.additional_properties = d
        return eval_comparison

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
