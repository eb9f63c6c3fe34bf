from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.eval_run_status import EvalRunStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.eval_aggregate import EvalAggregate
  from ..models.eval_run_agent_snapshot import EvalRunAgentSnapshot





T = TypeVar("T", bound="EvalRun")



@_attrs_define
class EvalRun:
    """ A run of an eval set against an agent.

        Attributes:
            agent_id (str):
            agent_snapshot (EvalRunAgentSnapshot): The agent's record when the run was created; the run answers with
                these settings.
            created_at (datetime.datetime):
            eval_set_id (str):
            id (str):
            items_scored (int):
            items_total (int):
            org_id (str):
            status (EvalRunStatus): Where a run is: `queued` until the worker takes it, `running` while
                items are answered, then `succeeded` (every item scored, some may
                carry an error), `failed` (the run could not go on, e.g. its agent
                was deleted) or `cancelled`.
            aggregate (EvalAggregate | None | Unset):
            error (None | str | Unset): Why the run failed.
            finished_at (datetime.datetime | None | Unset):
            similarity_note (None | str | Unset): Why answer similarity is null for every item (no embedder loaded).
            started_at (datetime.datetime | None | Unset):
     """

    agent_id: str
    agent_snapshot: EvalRunAgentSnapshot
    created_at: datetime.datetime
    eval_set_id: str
    id: str
    items_scored: int
    items_total: int
    org_id: str
    status: EvalRunStatus
    aggregate: EvalAggregate | None | Unset = UNSET
    error: None | str | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    similarity_note: None | str | Unset = UNSET
    started_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_aggregate import EvalAggregate # noqa: PLC0415
        from ..models.eval_run_agent_snapshot import EvalRunAgentSnapshot # noqa: PLC0415
        agent_id = self.agent_id

        agent_snapshot = self.agent_snapshot.to_dict()

        created_at = self.created_at.isoformat()

        eval_set_id = self.eval_set_id

        id = self.id

        items_scored = self.items_scored

        items_total = self.items_total

        org_id = self.org_id

        status = self.status.value

        aggregate: dict[str, Any] | None | Unset
        if isinstance(self.aggregate, Unset):
            aggregate = UNSET
        elif isinstance(self.aggregate, EvalAggregate):
            aggregate = self.aggregate.to_dict()
        else:
            aggregate = self.aggregate

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        similarity_note: None | str | Unset
        if isinstance(self.similarity_note, Unset):
            similarity_note = UNSET
        else:
            similarity_note = self.similarity_note

        started_at: None | str | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        elif isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agent_id": agent_id,
            "agent_snapshot": agent_snapshot,
            "created_at": created_at,
            "eval_set_id": eval_set_id,
            "id": id,
            "items_scored": items_scored,
            "items_total": items_total,
            "org_id": org_id,
            "status": status,
        })
        if aggregate is not UNSET:
            field_dict["aggregate"] = aggregate
        if error is not UNSET:
            field_dict["error"] = error
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if similarity_note is not UNSET:
            field_dict["similarity_note"] = similarity_note
        if started_at is not UNSET:
            field_dict["started_at"] = started_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_aggregate import EvalAggregate # noqa: PLC0415
        from ..models.eval_run_agent_snapshot import EvalRunAgentSnapshot # noqa: PLC0415
        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        agent_snapshot = EvalRunAgentSnapshot.from_dict(d.pop("agent_snapshot"))




        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        eval_set_id = d.pop("eval_set_id")

        id = d.pop("id")

        items_scored = d.pop("items_scored")

        items_total = d.pop("items_total")

        org_id = d.pop("org_id")

        status = EvalRunStatus(d.pop("status"))




        def _parse_aggregate(data: object) -> EvalAggregate | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                aggregate_type_1 = EvalAggregate.from_dict(data)



                return aggregate_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EvalAggregate | None | Unset, data)

        aggregate = _parse_aggregate(d.pop("aggregate", UNSET))


        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)



                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))


        def _parse_similarity_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        similarity_note = _parse_similarity_note(d.pop("similarity_note", UNSET))


        def _parse_started_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)



                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        started_at = _parse_started_at(d.pop("started_at", UNSET))


        eval_run = cls(
            agent_id=agent_id,
            agent_snapshot=agent_snapshot,
            created_at=created_at,
            eval_set_id=eval_set_id,
            id=id,
            items_scored=items_scored,
            items_total=items_total,
            org_id=org_id,
            status=status,
            aggregate=aggregate,
            error=error,
            finished_at=finished_at,
            similarity_note=similarity_note,
            started_at=started_at,
        )


        eval_run.additional_properties = d
        return eval_run

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
