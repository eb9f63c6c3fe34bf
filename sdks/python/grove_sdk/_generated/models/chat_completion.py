from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.chat_completion_choice import ChatCompletionChoice
  from ..models.cited_source import CitedSource
  from ..models.completion_metadata import CompletionMetadata
  from ..models.completion_usage import CompletionUsage





T = TypeVar("T", bound="ChatCompletion")



@_attrs_define
class ChatCompletion:
    """ A whole answer, as OpenAI's `chat.completion`.

        Attributes:
            choices (list[ChatCompletionChoice]):
            created (int): Unix seconds.
            grove (CompletionMetadata): What Grove adds beside OpenAI's fields.
            id (str): `chatcmpl-` and the interaction's id.
            model (str): The agent's slug.
            object_ (str): `chat.completion`.
            sources (list[CitedSource]): Every retrieved source, numbered as the content cites them.
            usage (CompletionUsage):
     """

    choices: list[ChatCompletionChoice]
    created: int
    grove: CompletionMetadata
    id: str
    model: str
    object_: str
    sources: list[CitedSource]
    usage: CompletionUsage
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.chat_completion_choice import ChatCompletionChoice # noqa: PLC0415
        from ..models.cited_source import CitedSource # noqa: PLC0415
        from ..models.completion_metadata import CompletionMetadata # noqa: PLC0415
        from ..models.completion_usage import CompletionUsage # noqa: PLC0415
        choices = []
        for choices_item_data in self.choices:
            choices_item = choices_item_data.to_dict()
            choices.append(choices_item)



        created = self.created

        grove = self.grove.to_dict()

        id = self.id

        model = self.model

        object_ = self.object_

        sources = []
        for sources_item_data in self.sources:
            sources_item = sources_item_data.to_dict()
            sources.append(sources_item)



        usage = self.usage.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "choices": choices,
            "created": created,
            "grove": grove,
            "id": id,
            "model": model,
            "object": object_,
            "sources": sources,
            "usage": usage,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_completion_choice import ChatCompletionChoice # noqa: PLC0415
        from ..models.cited_source import CitedSource # noqa: PLC0415
        from ..models.completion_metadata import CompletionMetadata # noqa: PLC0415
        from ..models.completion_usage import CompletionUsage # noqa: PLC0415
        d = dict(src_dict)
        choices = []
        _choices = d.pop("choices")
        for choices_item_data in (_choices):
            choices_item = ChatCompletionChoice.from_dict(choices_item_data)



            choices.append(choices_item)


        created = d.pop("created")

        grove = CompletionMetadata.from_dict(d.pop("grove"))




        id = d.pop("id")

        model = d.pop("model")

        object_ = d.pop("object")

        sources = []
        _sources = d.pop("sources")
        for sources_item_data in (_sources):
            sources_item = CitedSource.from_dict(sources_item_data)



            sources.append(sources_item)


        usage = CompletionUsage.from_dict(d.pop("usage"))




        chat_completion = cls(
            choices=choices,
            created=created,
            grove=grove,
            id=id,
            model=model,
            object_=object_,
            sources=sources,
            usage=usage,
        )


        chat_completion.additional_properties = d
        return chat_completion

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
