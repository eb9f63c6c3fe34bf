from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.eval_set import EvalSet





T = TypeVar("T", bound="EvalSetList")



@_attrs_define
class EvalSetList:
    """ 
        Attributes:
            eval_sets (list[EvalSet]):
            limit (int):
            offset (int):
            total (int):
     """

    eval_sets: list[EvalSet]
    limit: int
    offset: int
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_set import EvalSet # noqa: PLC0415
        eval_sets = []
        for eval_sets_item_data in self.eval_sets:
            eval_sets_item = eval_sets_item_data.to_dict()
            eval_sets.append(eval_sets_item)



        limit = self.limit

        offset = self.offset

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "eval_sets": eval_sets,
            "limit": limit,
            "offset": offset,
            "total": total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_set import EvalSet # noqa: PLC0415
        d = dict(src_dict)
        eval_sets = []
        _eval_sets = d.pop("eval_sets")
        for eval_sets_item_data in (_eval_sets):
            eval_sets_item = EvalSet.from_dict(eval_sets_item_data)



            eval_sets.append(eval_sets_item)


        limit = d.pop("limit")

        offset = d.pop("offset")

        total = d.pop("total")

        eval_set_list = cls(
            eval_sets=eval_sets,
            limit=limit,
            offset=offset,
            total=total,
        )


        eval_set_list.additional_properties = d
        return eval_set_list

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
