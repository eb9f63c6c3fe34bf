from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.eval_run_status import EvalRunStatus
from typing import cast

if TYPE_CHECKING:
  from ..models.eval_aggregate import EvalAggregate





T = TypeVar("T", bound="RunSide")



@_attrs_define
class RunSide:
    """ One run's side of a comparison.

        Attributes:
            agent_id (str):
            aggregate (EvalAggregate): A run's totals.
            id (str):
            status (EvalRunStatus): Where a run is: `queued` until the worker takes it, `running` while
                items are answered, then `succeeded` (every item scored, some may
                carry an error), `failed` (the run could not go on, e.g. its agent
                was deleted) or `cancelled`.
     """

    agent_id: str
    aggregate: EvalAggregate
    id: str
    status: EvalRunStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_aggregate import EvalAggregate # noqa: PLC0415
        agent_id = self.agent_id

        aggregate = self.aggregate.to_dict()

        id = self.id

        status = self.status.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agent_id": agent_id,
            "aggregate": aggregate,
            "id": id,
            "status": status,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_aggregate import EvalAggregate # noqa: PLC0415
        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        aggregate = EvalAggregate.from_dict(d.pop("aggregate"))




        id = d.pop("id")

        status = EvalRunStatus(d.pop("status"))




        run_side = cls(
            agent_id=agent_id,
            aggregate=aggregate,
            id=id,
            status=status,
        )


        run_side.additional_properties = d
        return run_side

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
