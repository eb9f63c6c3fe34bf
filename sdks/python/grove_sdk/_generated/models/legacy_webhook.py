from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_webhook_status import LegacyWebhookStatus
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="LegacyWebhook")



@_attrs_define
class LegacyWebhook:
    """ An outgoing webhook endpoint.

        Attributes:
            consecutive_failures (int): Failed attempts since the last successful one.
            created_at (datetime.datetime):
            enabled (bool):
            events (list[str]): Event names, or `["*"]` for all.
            id (str):
            org_id (str):
            status (LegacyWebhookStatus): An endpoint's health: `failing` while its latest attempts failed,
                `disabled` when switched off by a user or after a delivery gave up.
            updated_at (datetime.datetime):
            url (str):
            last_failure_at (datetime.datetime | None | Unset):
            last_success_at (datetime.datetime | None | Unset):
            previous_secret_expires_at (datetime.datetime | None | Unset): Until when the secret replaced by the last
                rotation still signs.
            status_message (None | str | Unset): Why the endpoint is failing or disabled.
     """

    consecutive_failures: int
    created_at: datetime.datetime
    enabled: bool
    events: list[str]
    id: str
    org_id: str
    status: LegacyWebhookStatus
    updated_at: datetime.datetime
    url: str
    last_failure_at: datetime.datetime | None | Unset = UNSET
    last_success_at: datetime.datetime | None | Unset = UNSET
    previous_secret_expires_at: datetime.datetime | None | Unset = UNSET
    status_message: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        consecutive_failures = self.consecutive_failures

        created_at = self.created_at.isoformat()

        enabled = self.enabled

        events = self.events



        id = self.id

        org_id = self.org_id

        status = self.status.value

        updated_at = self.updated_at.isoformat()

        url = self.url

        last_failure_at: None | str | Unset
        if isinstance(self.last_failure_at, Unset):
            last_failure_at = UNSET
        elif isinstance(self.last_failure_at, datetime.datetime):
            last_failure_at = self.last_failure_at.isoformat()
        else:
            last_failure_at = self.last_failure_at

        last_success_at: None | str | Unset
        if isinstance(self.last_success_at, Unset):
            last_success_at = UNSET
        elif isinstance(self.last_success_at, datetime.datetime):
            last_success_at = self.last_success_at.isoformat()
        else:
            last_success_at = self.last_success_at

        previous_secret_expires_at: None | str | Unset
        if isinstance(self.previous_secret_expires_at, Unset):
            previous_secret_expires_at = UNSET
        elif isinstance(self.previous_secret_expires_at, datetime.datetime):
            previous_secret_expires_at = self.previous_secret_expires_at.isoformat()
        else:
            previous_secret_expires_at = self.previous_secret_expires_at

        status_message: None | str | Unset
        if isinstance(self.status_message, Unset):
            status_message = UNSET
        else:
            status_message = self.status_message


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "consecutiveFailures": consecutive_failures,
            "createdAt": created_at,
            "enabled": enabled,
            "events": events,
            "id": id,
            "orgId": org_id,
            "status": status,
            "updatedAt": updated_at,
            "url": url,
        })
        if last_failure_at is not UNSET:
            field_dict["lastFailureAt"] = last_failure_at
        if last_success_at is not UNSET:
            field_dict["lastSuccessAt"] = last_success_at
        if previous_secret_expires_at is not UNSET:
            field_dict["previousSecretExpiresAt"] = previous_secret_expires_at
        if status_message is not UNSET:
            field_dict["statusMessage"] = status_message

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        consecutive_failures = d.pop("consecutiveFailures")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        enabled = d.pop("enabled")

        events = cast(list[str], d.pop("events"))


        id = d.pop("id")

        org_id = d.pop("orgId")

        status = LegacyWebhookStatus(d.pop("status"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))




        url = d.pop("url")

        def _parse_last_failure_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_failure_at_type_0 = datetime.datetime.fromisoformat(data)



                return last_failure_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_failure_at = _parse_last_failure_at(d.pop("lastFailureAt", UNSET))


        def _parse_last_success_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_success_at_type_0 = datetime.datetime.fromisoformat(data)



                return last_success_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_success_at = _parse_last_success_at(d.pop("lastSuccessAt", UNSET))


        def _parse_previous_secret_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                previous_secret_expires_at_type_0 = datetime.datetime.fromisoformat(data)



                return previous_secret_expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        previous_secret_expires_at = _parse_previous_secret_expires_at(d.pop("previousSecretExpiresAt", UNSET))


        def _parse_status_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status_message = _parse_status_message(d.pop("statusMessage", UNSET))


        legacy_webhook = cls(
            consecutive_failures=consecutive_failures,
            created_at=created_at,
            enabled=enabled,
            events=events,
            id=id,
            org_id=org_id,
            status=status,
            updated_at=updated_at,
            url=url,
            last_failure_at=last_failure_at,
            last_success_at=last_success_at,
            previous_secret_expires_at=previous_secret_expires_at,
            status_message=status_message,
        )


        legacy_webhook.additional_properties = d
        return legacy_webhook

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
