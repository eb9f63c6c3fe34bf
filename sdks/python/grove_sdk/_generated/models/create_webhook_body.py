from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="CreateWebhookBody")



@_attrs_define
class CreateWebhookBody:
    """ An endpoint as created or updated. On create, `url` and `events` are
    required; on update every field is optional.

        Attributes:
            events (list[str]): Event names, or `["*"]` for every event.
            url (str): `https://…` (plain `http` only when `webhooks.allow_http` is set).
            enabled (bool | None | Unset): Default true. Enabling a disabled endpoint clears its failures.
     """

    events: list[str]
    url: str
    enabled: bool | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        events = self.events



        url = self.url

        enabled: bool | None | Unset
        if isinstance(self.enabled, Unset):
            enabled = UNSET
        else:
            enabled = self.enabled


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "events": events,
            "url": url,
        })
        if enabled is not UNSET:
            field_dict["enabled"] = enabled

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        events = cast(list[str], d.pop("events"))


        url = d.pop("url")

        def _parse_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enabled = _parse_enabled(d.pop("enabled", UNSET))


        create_webhook_body = cls(
            events=events,
            url=url,
            enabled=enabled,
        )

        return create_webhook_body

