from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.run import Run





T = TypeVar("T", bound="RunList")



@_attrs_define
class RunList:
    """ 
        Attributes:
            limit (int):
            offset (int):
            runs (list[Run]):
            total (int):
     """

    limit: int
    offset: int
    runs: list[Run]
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.run import Run # noqa: PLC0415
        limit = self.limit

        offset = self.offset

        runs = []
        for runs_item_data in self.runs:
            runs_item = runs_item_data.to_dict()
            runs.append(runs_item)



        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "limit": limit,
            "offset": offset,
            "runs": runs,
            "total": total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run import Run # noqa: PLC0415
        d = dict(src_dict)
        limit = d.pop("limit")

        offset = d.pop("offset")

        runs = []
        _runs = d.pop("runs")
        for runs_item_data in (_runs):
            runs_item = Run.from_dict(runs_item_data)



            runs.append(runs_item)


        total = d.pop("total")

        run_list = cls(
            limit=limit,
            offset=offset,
            runs=runs,
            total=total,
        )


        run_list.additional_properties = d
        return run_list

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
