from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.assistant_message import AssistantMessage





T = TypeVar("T", bound="ChatCompletionChoice")



@_attrs_define
class ChatCompletionChoice:
    """ 
        Attributes:
            finish_reason (str): `stop`.
            index (int):
            message (AssistantMessage):
     """

    finish_reason: str
    index: int
    message: AssistantMessage
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.assistant_message import AssistantMessage # noqa: PLC0415
        finish_reason = self.finish_reason

        index = self.index

        message = self.message.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "finish_reason": finish_reason,
            "index": index,
            "message": message,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.assistant_message import AssistantMessage # noqa: PLC0415
        d = dict(src_dict)
        finish_reason = d.pop("finish_reason")

        index = d.pop("index")

        message = AssistantMessage.from_dict(d.pop("message"))




        chat_completion_choice = cls(
            finish_reason=finish_reason,
            index=index,
            message=message,
        )


        chat_completion_choice.additional_properties = d
        return chat_completion_choice

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
