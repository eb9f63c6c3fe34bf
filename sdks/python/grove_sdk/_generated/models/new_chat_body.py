from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="NewChatBody")



@_attrs_define
class NewChatBody:
    """ An ad-hoc chat: a first message to an agent, answered at once.

        Attributes:
            agent_id (str):
            message (str):
     """

    agent_id: str
    message: str





    def to_dict(self) -> dict[str, Any]:
        agent_id = self.agent_id

        message = self.message


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "agent_id": agent_id,
            "message": message,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        message = d.pop("message")

        new_chat_body = cls(
            agent_id=agent_id,
            message=message,
        )

        return new_chat_body

