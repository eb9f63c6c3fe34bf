from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.content_part import ContentPart





T = TypeVar("T", bound="ChatCompletionMessage")



@_attrs_define
class ChatCompletionMessage:
    """ A message of `messages` (`ChatCompletionMessage` in the document, apart
    from the chats' `ChatMessage`).

        Attributes:
            role (str): `system`, `developer`, `user`, `assistant` or `tool`.
            content (list[ContentPart] | None | str | Unset):
     """

    role: str
    content: list[ContentPart] | None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.content_part import ContentPart # noqa: PLC0415
        role = self.role

        content: list[dict[str, Any]] | None | str | Unset
        if isinstance(self.content, Unset):
            content = UNSET
        elif isinstance(self.content, list):
            content = []
            for componentsschemas_message_content_type_1_item_data in self.content:
                componentsschemas_message_content_type_1_item = componentsschemas_message_content_type_1_item_data.to_dict()
                content.append(componentsschemas_message_content_type_1_item)


        else:
            content = self.content


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "role": role,
        })
        if content is not UNSET:
            field_dict["content"] = content

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.content_part import ContentPart # noqa: PLC0415
        d = dict(src_dict)
        role = d.pop("role")

        def _parse_content(data: object) -> list[ContentPart] | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_message_content_type_1 = []
                _componentsschemas_message_content_type_1 = data
                for componentsschemas_message_content_type_1_item_data in (_componentsschemas_message_content_type_1):
                    componentsschemas_message_content_type_1_item = ContentPart.from_dict(componentsschemas_message_content_type_1_item_data)



                    componentsschemas_message_content_type_1.append(componentsschemas_message_content_type_1_item)

                return componentsschemas_message_content_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ContentPart] | None | str | Unset, data)

        content = _parse_content(d.pop("content", UNSET))


        chat_completion_message = cls(
            role=role,
            content=content,
        )


        chat_completion_message.additional_properties = d
        return chat_completion_message

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
