from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.session_turn import SessionTurn





T = TypeVar("T", bound="SessionView")



@_attrs_define
class SessionView:
    """ 
        Attributes:
            agent_id (str):
            created_at (datetime.datetime):
            id (str):
            last_active_at (datetime.datetime):
            turns (list[SessionTurn]): Oldest first.
     """

    agent_id: str
    created_at: datetime.datetime
    id: str
    last_active_at: datetime.datetime
    turns: list[SessionTurn]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.session_turn import SessionTurn # noqa: PLC0415
        agent_id = self.agent_id

        created_at = self.created_at.isoformat()

        id = self.id

        last_active_at = self.last_active_at.isoformat()

        turns = []
        for turns_item_data in self.turns:
            turns_item = turns_item_data.to_dict()
            turns.append(turns_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agent_id": agent_id,
            "created_at": created_at,
            "id": id,
            "last_active_at": last_active_at,
            "turns": turns,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.session_turn import SessionTurn # noqa: PLC0415
        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        id = d.pop("id")

        last_active_at = datetime.datetime.fromisoformat(d.pop("last_active_at"))




        turns = []
        _turns = d.pop("turns")
        for turns_item_data in (_turns):
            turns_item = SessionTurn.from_dict(turns_item_data)



            turns.append(turns_item)


        session_view = cls(
            agent_id=agent_id,
            created_at=created_at,
            id=id,
            last_active_at=last_active_at,
            turns=turns,
        )


        session_view.additional_properties = d
        return session_view

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
