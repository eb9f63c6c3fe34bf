from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="LegacyLegacyWebhookBody")



@_attrs_define
class LegacyLegacyWebhookBody:
    """ The seed's `POST /api/webhooks` body.

        Attributes:
            events (list[str]):
            secret (str): The signing secret, chosen by the caller (16 to 256 characters).
            url (str):
            enabled (bool | None | Unset): Default true (not in the seed).
     """

    events: list[str]
    secret: str
    url: str
    enabled: bool | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        events = self.events



        secret = self.secret

        url = self.url

        enabled: bool | None | Unset
        if isinstance(self.enabled, Unset):
            enabled = UNSET
        else:
            enabled = self.enabled


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "events": events,
            "secret": secret,
            "url": url,
        })
        if enabled is not UNSET:
            field_dict["enabled"] = enabled

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        events = cast(list[str], d.pop("events"))


        secret = d.pop("secret")

        url = d.pop("url")

        def _parse_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enabled = _parse_enabled(d.pop("enabled", UNSET))


        legacy_legacy_webhook_body = cls(
            events=events,
            secret=secret,
            url=url,
            enabled=enabled,
        )

        return legacy_legacy_webhook_body

