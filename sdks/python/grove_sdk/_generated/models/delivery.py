from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.delivery_status import DeliveryStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.attempt import Attempt
  from ..models.delivery_payload import DeliveryPayload





T = TypeVar("T", bound="Delivery")



@_attrs_define
class Delivery:
    """ One event's delivery to one endpoint.

        Attributes:
            attempts (list[Attempt]):
            created_at (datetime.datetime):
            event (str):
            event_id (str):
            id (str):
            payload (DeliveryPayload): The exact JSON body sent.
            status (DeliveryStatus): Where a delivery stands: `pending` until an attempt succeeds
                (`succeeded`) or the retry schedule is spent (`failed`).
            webhook_id (str):
            error (None | str | Unset): Why the delivery failed when no attempt says it (the endpoint was
                disabled before its turn).
            next_attempt_at (datetime.datetime | None | Unset): When the next attempt is due, while pending.
            resent_from (None | str | Unset):
     """

    attempts: list[Attempt]
    created_at: datetime.datetime
    event: str
    event_id: str
    id: str
    payload: DeliveryPayload
    status: DeliveryStatus
    webhook_id: str
    error: None | str | Unset = UNSET
    next_attempt_at: datetime.datetime | None | Unset = UNSET
    resent_from: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.attempt import Attempt # noqa: PLC0415
        from ..models.delivery_payload import DeliveryPayload # noqa: PLC0415
        attempts = []
        for attempts_item_data in self.attempts:
            attempts_item = attempts_item_data.to_dict()
            attempts.append(attempts_item)



        created_at = self.created_at.isoformat()

        event = self.event

        event_id = self.event_id

        id = self.id

        payload = self.payload.to_dict()

        status = self.status.value

        webhook_id = self.webhook_id

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

        resent_from: None | str | Unset
        if isinstance(self.resent_from, Unset):
            resent_from = UNSET
        else:
            resent_from = self.resent_from


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attempts": attempts,
            "created_at": created_at,
            "event": event,
            "event_id": event_id,
            "id": id,
            "payload": payload,
            "status": status,
            "webhook_id": webhook_id,
        })
        if error is not UNSET:
            field_dict["error"] = error
        if next_attempt_at is not UNSET:
            field_dict["next_attempt_at"] = next_attempt_at
        if resent_from is not UNSET:
            field_dict["resent_from"] = resent_from

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attempt import Attempt # noqa: PLC0415
        from ..models.delivery_payload import DeliveryPayload # noqa: PLC0415
        d = dict(src_dict)
        attempts = []
        _attempts = d.pop("attempts")
        for attempts_item_data in (_attempts):
            attempts_item = Attempt.from_dict(attempts_item_data)



            attempts.append(attempts_item)


        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        event = d.pop("event")

        event_id = d.pop("event_id")

        id = d.pop("id")

        payload = DeliveryPayload.from_dict(d.pop("payload"))




        status = DeliveryStatus(d.pop("status"))




        webhook_id = d.pop("webhook_id")

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


        def _parse_resent_from(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resent_from = _parse_resent_from(d.pop("resent_from", UNSET))


        delivery = cls(
            attempts=attempts,
            created_at=created_at,
            event=event,
            event_id=event_id,
            id=id,
            payload=payload,
            status=status,
            webhook_id=webhook_id,
            error=error,
            next_attempt_at=next_attempt_at,
            resent_from=resent_from,
        )


        delivery.additional_properties = d
        return delivery

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
