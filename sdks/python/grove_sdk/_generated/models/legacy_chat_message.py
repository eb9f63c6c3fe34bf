from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_message_role import LegacyMessageRole
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.legacy_cited_source import LegacyCitedSource





T = TypeVar("T", bound="LegacyChatMessage")



@_attrs_define
class LegacyChatMessage:
    """ A message of a chat.

        Attributes:
            content (str):
            created_at (datetime.datetime):
            role (LegacyMessageRole): Who wrote a chat message: the question (`user`), the answer
                (`assistant`), or a step of a tool-using run (`tool`: the call, its
                arguments and a short result).
            sources (list[LegacyCitedSource]):
            model (None | str | Unset): The model that wrote an answer or made a step.
     """

    content: str
    created_at: datetime.datetime
    role: LegacyMessageRole
    sources: list[LegacyCitedSource]
    model: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_cited_source import LegacyCitedSource # noqa: PLC0415
        content = self.content

        created_at = self.created_at.isoformat()

        role = self.role.value

        sources = []
        for sources_item_data in self.sources:
            sources_item = sources_item_data.to_dict()
            sources.append(sources_item)



        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "content": content,
            "createdAt": created_at,
            "role": role,
            "sources": sources,
        })
        if model is not UNSET:
            field_dict["model"] = model

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_cited_source import LegacyCitedSource # noqa: PLC0415
        d = dict(src_dict)
        content = d.pop("content")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        role = LegacyMessageRole(d.pop("role"))




        sources = []
        _sources = d.pop("sources")
        for sources_item_data in (_sources):
            sources_item = LegacyCitedSource.from_dict(sources_item_data)



            sources.append(sources_item)


        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))


        legacy_chat_message = cls(
            content=content,
            created_at=created_at,
            role=role,
            sources=sources,
            model=model,
        )


        legacy_chat_message.additional_properties = d
        return legacy_chat_message

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
