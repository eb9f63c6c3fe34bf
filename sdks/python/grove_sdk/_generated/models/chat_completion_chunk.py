from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.chunk_choice import ChunkChoice
  from ..models.cited_source import CitedSource
  from ..models.completion_metadata import CompletionMetadata
  from ..models.completion_usage import CompletionUsage





T = TypeVar("T", bound="ChatCompletionChunk")



@_attrs_define
class ChatCompletionChunk:
    """ One event of a streamed completion (`chat.completion.chunk`),
    serialised from its types (so its numbers read as the whole
    completion's do).

        Attributes:
            choices (list[ChunkChoice]): One choice; none on the usage chunk.
            created (int):
            id (str): The same on every chunk of a stream.
            model (str):
            object_ (str): `chat.completion.chunk`.
            grove (CompletionMetadata | None | Unset):
            sources (list[CitedSource] | None | Unset): On the chunk with `finish_reason: "stop"`.
            usage (CompletionUsage | None | Unset):
     """

    choices: list[ChunkChoice]
    created: int
    id: str
    model: str
    object_: str
    grove: CompletionMetadata | None | Unset = UNSET
    sources: list[CitedSource] | None | Unset = UNSET
    usage: CompletionUsage | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.chunk_choice import ChunkChoice # noqa: PLC0415
        from ..models.cited_source import CitedSource # noqa: PLC0415
        from ..models.completion_metadata import CompletionMetadata # noqa: PLC0415
        from ..models.completion_usage import CompletionUsage # noqa: PLC0415
        choices = []
        for choices_item_data in self.choices:
            choices_item = choices_item_data.to_dict()
            choices.append(choices_item)



        created = self.created

        id = self.id

        model = self.model

        object_ = self.object_

        grove: dict[str, Any] | None | Unset
        if isinstance(self.grove, Unset):
            grove = UNSET
        elif isinstance(self.grove, CompletionMetadata):
            grove = self.grove.to_dict()
        else:
            grove = self.grove

        sources: list[dict[str, Any]] | None | Unset
        if isinstance(self.sources, Unset):
            sources = UNSET
        elif isinstance(self.sources, list):
            sources = []
            for sources_type_0_item_data in self.sources:
                sources_type_0_item = sources_type_0_item_data.to_dict()
                sources.append(sources_type_0_item)


        else:
            sources = self.sources

        usage: dict[str, Any] | None | Unset
        if isinstance(self.usage, Unset):
            usage = UNSET
        elif isinstance(self.usage, CompletionUsage):
            usage = self.usage.to_dict()
        else:
            usage = self.usage


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "choices": choices,
            "created": created,
            "id": id,
            "model": model,
            "object": object_,
        })
        if grove is not UNSET:
            field_dict["grove"] = grove
        if sources is not UNSET:
            field_dict["sources"] = sources
        if usage is not UNSET:
            field_dict["usage"] = usage

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chunk_choice import ChunkChoice # noqa: PLC0415
        from ..models.cited_source import CitedSource # noqa: PLC0415
        from ..models.completion_metadata import CompletionMetadata # noqa: PLC0415
        from ..models.completion_usage import CompletionUsage # noqa: PLC0415
        d = dict(src_dict)
        choices = []
        _choices = d.pop("choices")
        for choices_item_data in (_choices):
            choices_item = ChunkChoice.from_dict(choices_item_data)



            choices.append(choices_item)


        created = d.pop("created")

        id = d.pop("id")

        model = d.pop("model")

        object_ = d.pop("object")

        def _parse_grove(data: object) -> CompletionMetadata | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                grove_type_1 = CompletionMetadata.from_dict(data)



                return grove_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CompletionMetadata | None | Unset, data)

        grove = _parse_grove(d.pop("grove", UNSET))


        def _parse_sources(data: object) -> list[CitedSource] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                sources_type_0 = []
                _sources_type_0 = data
                for sources_type_0_item_data in (_sources_type_0):
                    sources_type_0_item = CitedSource.from_dict(sources_type_0_item_data)



                    sources_type_0.append(sources_type_0_item)

                return sources_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[CitedSource] | None | Unset, data)

        sources = _parse_sources(d.pop("sources", UNSET))


        def _parse_usage(data: object) -> CompletionUsage | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                usage_type_1 = CompletionUsage.from_dict(data)



                return usage_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CompletionUsage | None | Unset, data)

        usage = _parse_usage(d.pop("usage", UNSET))


        chat_completion_chunk = cls(
            choices=choices,
            created=created,
            id=id,
            model=model,
            object_=object_,
            grove=grove,
            sources=sources,
            usage=usage,
        )


        chat_completion_chunk.additional_properties = d
        return chat_completion_chunk

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
