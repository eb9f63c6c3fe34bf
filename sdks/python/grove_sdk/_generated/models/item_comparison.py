from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.change import Change
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.item_side import ItemSide





T = TypeVar("T", bound="ItemComparison")



@_attrs_define
class ItemComparison:
    """ 
        Attributes:
            change (Change): How an item fared in head against base.
            position (int):
            question (str):
            base (ItemSide | None | Unset):
            head (ItemSide | None | Unset):
     """

    change: Change
    position: int
    question: str
    base: ItemSide | None | Unset = UNSET
    head: ItemSide | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.item_side import ItemSide # noqa: PLC0415
        change = self.change.value

        position = self.position

        question = self.question

        base: dict[str, Any] | None | Unset
        if isinstance(self.base, Unset):
            base = UNSET
        elif isinstance(self.base, ItemSide):
            base = self.base.to_dict()
        else:
            base = self.base

        head: dict[str, Any] | None | Unset
        if isinstance(self.head, Unset):
            head = UNSET
        elif isinstance(self.head, ItemSide):
            head = self.head.to_dict()
        else:
            head = self.head


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "change": change,
            "position": position,
            "question": question,
        })
        if base is not UNSET:
            field_dict["base"] = base
        if head is not UNSET:
            field_dict["head"] = head

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.item_side import ItemSide # noqa: PLC0415
        d = dict(src_dict)
        change = Change(d.pop("change"))




        position = d.pop("position")

        question = d.pop("question")

        def _parse_base(data: object) -> ItemSide | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                base_type_1 = ItemSide.from_dict(data)



                return base_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ItemSide | None | Unset, data)

        base = _parse_base(d.pop("base", UNSET))


        def _parse_head(data: object) -> ItemSide | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                head_type_1 = ItemSide.from_dict(data)



                return head_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ItemSide | None | Unset, data)

        head = _parse_head(d.pop("head", UNSET))


        item_comparison = cls(
            change=change,
            position=position,
            question=question,
            base=base,
            head=head,
        )


        item_comparison.additional_properties = d
        return item_comparison

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
