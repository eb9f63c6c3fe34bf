from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.notification_status import NotificationStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.notification_attempt import NotificationAttempt





T = TypeVar("T", bound="NotificationDelivery")



@_attrs_define
class NotificationDelivery:
    """ One notification to one channel: a finished run (`job.run.succeeded`,
    `job.run.failed`, …) or a test message (`test`).

        Attributes:
            attempts (list[NotificationAttempt]):
            channel_id (str):
            created_at (datetime.datetime):
            event (str):
            id (str):
            status (NotificationStatus): Where a notification's delivery stands: `pending` while attempts
                remain, `delivered`, `failed` after its last attempt, or `dropped`
                when its channel, run or topic no longer wanted it.
            updated_at (datetime.datetime):
            error (None | str | Unset): Why it failed or was dropped, when no attempt says it.
            next_attempt_at (datetime.datetime | None | Unset): When the next attempt is due, while pending.
            run_id (None | str | Unset): The run announced; `None` for a test message.
     """

    attempts: list[NotificationAttempt]
    channel_id: str
    created_at: datetime.datetime
    event: str
    id: str
    status: NotificationStatus
    updated_at: datetime.datetime
    error: None | str | Unset = UNSET
    next_attempt_at: datetime.datetime | None | Unset = UNSET
    run_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.notification_attempt import NotificationAttempt # noqa: PLC0415
        attempts = []
        for attempts_item_data in self.attempts:
            attempts_item = attempts_item_data.to_dict()
            attempts.append(attempts_item)



        channel_id = self.channel_id

        created_at = self.created_at.isoformat()

        event = self.event

        id = self.id

        status = self.status.value

        updated_at = self.updated_at.isoformat()

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        next_attempt_at: None | str | Unset
        if isinstance(self.next_attempt_at, Unset):
            next_attempt_at = UNSET
        elif isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        run_id: None | str | Unset
        if isinstance(self.run_id, Unset):
            run_id = UNSET
        else:
            run_id = self.run_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attempts": attempts,
            "channel_id": channel_id,
            "created_at": created_at,
            "event": event,
            "id": id,
            "status": status,
            "updated_at": updated_at,
        })
        if error is not UNSET:
            field_dict["error"] = error
        if next_attempt_at is not UNSET:
            field_dict["next_attempt_at"] = next_attempt_at
        if run_id is not UNSET:
            field_dict["run_id"] = run_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.notification_attempt import NotificationAttempt # noqa: PLC0415
        d = dict(src_dict)
        attempts = []
        _attempts = d.pop("attempts")
        for attempts_item_data in (_attempts):
            attempts_item = NotificationAttempt.from_dict(attempts_item_data)



            attempts.append(attempts_item)


        channel_id = d.pop("channel_id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        event = d.pop("event")

        id = d.pop("id")

        status = NotificationStatus(d.pop("status"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_next_attempt_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)



                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at", UNSET))


        def _parse_run_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        run_id = _parse_run_id(d.pop("run_id", UNSET))


        notification_delivery = cls(
            attempts=attempts,
            channel_id=channel_id,
            created_at=created_at,
            event=event,
            id=id,
            status=status,
            updated_at=updated_at,
            error=error,
            next_attempt_at=next_attempt_at,
            run_id=run_id,
        )


        notification_delivery.additional_properties = d
        return notification_delivery

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
