from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.run import Run





T = TypeVar("T", bound="Started")



@_attrs_define
class Started:
    """ The runs a trigger started.

        Attributes:
            group_id (str):
            job_id (str):
            runs (list[Run]):
     """

    group_id: str
    job_id: str
    runs: list[Run]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.run import Run # noqa: PLC0415
        group_id = self.group_id

        job_id = self.job_id

        runs = []
        for runs_item_data in self.runs:
            runs_item = runs_item_data.to_dict()
            runs.append(runs_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "group_id": group_id,
            "job_id": job_id,
            "runs": runs,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run import Run # noqa: PLC0415
        d = dict(src_dict)
        group_id = d.pop("group_id")

        job_id = d.pop("job_id")

        runs = []
        _runs = d.pop("runs")
        for runs_item_data in (_runs):
            runs_item = Run.from_dict(runs_item_data)



            runs.append(runs_item)


        started = cls(
            group_id=group_id,
            job_id=job_id,
            runs=runs,
        )


        started.additional_properties = d
        return started

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
