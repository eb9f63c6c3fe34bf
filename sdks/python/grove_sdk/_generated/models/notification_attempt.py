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






T = TypeVar("T", bound="NotificationAttempt")



@_attrs_define
class NotificationAttempt:
    """ One attempt to deliver a notification.

        Attributes:
            at (datetime.datetime):
            attempt (int): 1 for the first attempt.
            latency_ms (int):
            status (NotificationStatus): Where a notification's delivery stands: `pending` while attempts
                remain, `delivered`, `failed` after its last attempt, or `dropped`
                when its channel, run or topic no longer wanted it.
            error (None | str | Unset): Why the attempt failed (SMTP or HTTP error, non-2xx answer).
     """

    at: datetime.datetime
    attempt: int
    latency_ms: int
    status: NotificationStatus
    error: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        attempt = self.attempt

        latency_ms = self.latency_ms

        status = self.status.value

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "at": at,
            "attempt": attempt,
            "latency_ms": latency_ms,
            "status": status,
        })
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))




        attempt = d.pop("attempt")

        latency_ms = d.pop("latency_ms")

        status = NotificationStatus(d.pop("status"))




        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        notification_attempt = cls(
            at=at,
            attempt=attempt,
            latency_ms=latency_ms,
            status=status,
            error=error,
        )


        notification_attempt.additional_properties = d
        return notification_attempt

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
