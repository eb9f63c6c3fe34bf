from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_initiator import LegacyInitiator
from ..models.legacy_run_status import LegacyRunStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.legacy_run_parameters import LegacyRunParameters





T = TypeVar("T", bound="LegacyRun")



@_attrs_define
class LegacyRun:
    """ One run of a job with one parameter set.

        Attributes:
            agent_id (str):
            attempts (int): Attempts made so far.
            created_at (datetime.datetime):
            group_id (str):
            id (str):
            initiator (LegacyInitiator): What started a run.
            job_id (str):
            max_attempts (int):
            org_id (str):
            parameters (LegacyRunParameters):
            prompt (str): The question asked, as rendered when the run was triggered.
            status (LegacyRunStatus): Where a run ends up. `skipped` records a scheduled fire that did not
                run (missed beyond the grace window, or the job was still running).
            chat_id (None | str | Unset):
            error (None | str | Unset):
            finished_at (datetime.datetime | None | Unset):
            scheduled_for (datetime.datetime | None | Unset): The schedule's due time, for scheduled runs.
            started_at (datetime.datetime | None | Unset):
     """

    agent_id: str
    attempts: int
    created_at: datetime.datetime
    group_id: str
    id: str
    initiator: LegacyInitiator
    job_id: str
    max_attempts: int
    org_id: str
    parameters: LegacyRunParameters
    prompt: str
    status: LegacyRunStatus
    chat_id: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    scheduled_for: datetime.datetime | None | Unset = UNSET
    started_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_run_parameters import LegacyRunParameters # noqa: PLC0415
        agent_id = self.agent_id

        attempts = self.attempts

        created_at = self.created_at.isoformat()

        group_id = self.group_id

        id = self.id

        initiator = self.initiator.value

        job_id = self.job_id

        max_attempts = self.max_attempts

        org_id = self.org_id

        parameters = self.parameters.to_dict()

        prompt = self.prompt

        status = self.status.value

        chat_id: None | str | Unset
        if isinstance(self.chat_id, Unset):
            chat_id = UNSET
        else:
            chat_id = self.chat_id

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

        scheduled_for: None | str | Unset
        if isinstance(self.scheduled_for, Unset):
            scheduled_for = UNSET
        elif isinstance(self.scheduled_for, datetime.datetime):
            scheduled_for = self.scheduled_for.isoformat()
        else:
            scheduled_for = self.scheduled_for

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
            "agentId": agent_id,
            "attempts": attempts,
            "createdAt": created_at,
            "groupId": group_id,
            "id": id,
            "initiator": initiator,
            "jobId": job_id,
            "maxAttempts": max_attempts,
            "orgId": org_id,
            "parameters": parameters,
            "prompt": prompt,
            "status": status,
        })
        if chat_id is not UNSET:
            field_dict["chatId"] = chat_id
        if error is not UNSET:
            field_dict["error"] = error
        if finished_at is not UNSET:
            field_dict["finishedAt"] = finished_at
        if scheduled_for is not UNSET:
            field_dict["scheduledFor"] = scheduled_for
        if started_at is not UNSET:
            field_dict["startedAt"] = started_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_run_parameters import LegacyRunParameters # noqa: PLC0415
        d = dict(src_dict)
        agent_id = d.pop("agentId")

        attempts = d.pop("attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        group_id = d.pop("groupId")

        id = d.pop("id")

        initiator = LegacyInitiator(d.pop("initiator"))




        job_id = d.pop("jobId")

        max_attempts = d.pop("maxAttempts")

        org_id = d.pop("orgId")

        parameters = LegacyRunParameters.from_dict(d.pop("parameters"))




        prompt = d.pop("prompt")

        status = LegacyRunStatus(d.pop("status"))




        def _parse_chat_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        chat_id = _parse_chat_id(d.pop("chatId", UNSET))


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

        finished_at = _parse_finished_at(d.pop("finishedAt", UNSET))


        def _parse_scheduled_for(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                scheduled_for_type_0 = datetime.datetime.fromisoformat(data)



                return scheduled_for_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        scheduled_for = _parse_scheduled_for(d.pop("scheduledFor", UNSET))


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

        started_at = _parse_started_at(d.pop("startedAt", UNSET))


        legacy_run = cls(
            agent_id=agent_id,
            attempts=attempts,
            created_at=created_at,
            group_id=group_id,
            id=id,
            initiator=initiator,
            job_id=job_id,
            max_attempts=max_attempts,
            org_id=org_id,
            parameters=parameters,
            prompt=prompt,
            status=status,
            chat_id=chat_id,
            error=error,
            finished_at=finished_at,
            scheduled_for=scheduled_for,
            started_at=started_at,
        )


        legacy_run.additional_properties = d
        return legacy_run

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
