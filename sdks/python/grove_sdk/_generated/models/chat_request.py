from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ChatRequest")



@_attrs_define
class ChatRequest:
    """ The legacy body (`agentId`, `sessionId` arrive renamed).

        Attributes:
            agent_id (str):
            prompt (str):
            session_id (None | str | Unset):
            stream (bool | None | Unset):
     """

    agent_id: str
    prompt: str
    session_id: None | str | Unset = UNSET
    stream: bool | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        agent_id = self.agent_id

        prompt = self.prompt

        session_id: None | str | Unset
        if isinstance(self.session_id, Unset):
            session_id = UNSET
        else:
            session_id = self.session_id

        stream: bool | None | Unset
        if isinstance(self.stream, Unset):
            stream = UNSET
        else:
            stream = self.stream


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "agent_id": agent_id,
            "prompt": prompt,
        })
        if session_id is not UNSET:
            field_dict["session_id"] = session_id
        if stream is not UNSET:
            field_dict["stream"] = stream

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        prompt = d.pop("prompt")

        def _parse_session_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        session_id = _parse_session_id(d.pop("session_id", UNSET))


        def _parse_stream(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        stream = _parse_stream(d.pop("stream", UNSET))


        chat_request = cls(
            agent_id=agent_id,
            prompt=prompt,
            session_id=session_id,
            stream=stream,
        )

        return chat_request

