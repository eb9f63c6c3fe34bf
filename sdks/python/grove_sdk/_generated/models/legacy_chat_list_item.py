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
  from ..models.legacy_named_ref import LegacyNamedRef





T = TypeVar("T", bound="LegacyChatListItem")



@_attrs_define
class LegacyChatListItem:
    """ A chat in a list (the seed's shape).

        Attributes:
            agent (LegacyNamedRef):
            created_at (datetime.datetime):
            id (str):
            title (str):
            initiator (LegacyInitiator | None | Unset):
            job (LegacyNamedRef | None | Unset):
            status (LegacyRunStatus | None | Unset):
     """

    agent: LegacyNamedRef
    created_at: datetime.datetime
    id: str
    title: str
    initiator: LegacyInitiator | None | Unset = UNSET
    job: LegacyNamedRef | None | Unset = UNSET
    status: LegacyRunStatus | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_named_ref import LegacyNamedRef # noqa: PLC0415
        agent = self.agent.to_dict()

        created_at = self.created_at.isoformat()

        id = self.id

        title = self.title

        initiator: None | str | Unset
        if isinstance(self.initiator, Unset):
            initiator = UNSET
        elif isinstance(self.initiator, LegacyInitiator):
            initiator = self.initiator.value
        else:
            initiator = self.initiator

        job: dict[str, Any] | None | Unset
        if isinstance(self.job, Unset):
            job = UNSET
        elif isinstance(self.job, LegacyNamedRef):
            job = self.job.to_dict()
        else:
            job = self.job

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, LegacyRunStatus):
            status = self.status.value
        else:
            status = self.status


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agent": agent,
            "createdAt": created_at,
            "id": id,
            "title": title,
        })
        if initiator is not UNSET:
            field_dict["initiator"] = initiator
        if job is not UNSET:
            field_dict["job"] = job
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_named_ref import LegacyNamedRef # noqa: PLC0415
        d = dict(src_dict)
        agent = LegacyNamedRef.from_dict(d.pop("agent"))




        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        id = d.pop("id")

        title = d.pop("title")

        def _parse_initiator(data: object) -> LegacyInitiator | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                initiator_type_1 = LegacyInitiator(data)



                return initiator_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacyInitiator | None | Unset, data)

        initiator = _parse_initiator(d.pop("initiator", UNSET))


        def _parse_job(data: object) -> LegacyNamedRef | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                job_type_1 = LegacyNamedRef.from_dict(data)



                return job_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacyNamedRef | None | Unset, data)

        job = _parse_job(d.pop("job", UNSET))


        def _parse_status(data: object) -> LegacyRunStatus | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_1 = LegacyRunStatus(data)



                return status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacyRunStatus | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))


        legacy_chat_list_item = cls(
            agent=agent,
            created_at=created_at,
            id=id,
            title=title,
            initiator=initiator,
            job=job,
            status=status,
        )


        legacy_chat_list_item.additional_properties = d
        return legacy_chat_list_item

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
