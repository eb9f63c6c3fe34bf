from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.chat_completion_message import ChatCompletionMessage
  from ..models.grove_options import GroveOptions
  from ..models.stream_options import StreamOptions





T = TypeVar("T", bound="ChatCompletionRequest")



@_attrs_define
class ChatCompletionRequest:
    """ OpenAI's request. Fields other clients send and Grove has no use for
    (`n`, `top_p`, `user`, `metadata`, …) are accepted and ignored, as
    OpenAI-compatible servers do.

        Attributes:
            messages (list[ChatCompletionMessage]): The conversation; the last message is the user's question.
            model (str): The agent: its slug (as `/v1/models` lists it) or its id.
            grove (GroveOptions | None | Unset):
            max_completion_tokens (int | None | Unset): The newer name of `max_tokens`; wins when both are given.
            max_tokens (int | None | Unset): 1 to 8192; default the agent's.
            stream (bool | None | Unset):
            stream_options (None | StreamOptions | Unset):
            temperature (float | None | Unset): 0 to 2; default the agent's.
     """

    messages: list[ChatCompletionMessage]
    model: str
    grove: GroveOptions | None | Unset = UNSET
    max_completion_tokens: int | None | Unset = UNSET
    max_tokens: int | None | Unset = UNSET
    stream: bool | None | Unset = UNSET
    stream_options: None | StreamOptions | Unset = UNSET
    temperature: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.chat_completion_message import ChatCompletionMessage # noqa: PLC0415
        from ..models.grove_options import GroveOptions # noqa: PLC0415
        from ..models.stream_options import StreamOptions # noqa: PLC0415
        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)



        model = self.model

        grove: dict[str, Any] | None | Unset
        if isinstance(self.grove, Unset):
            grove = UNSET
        elif isinstance(self.grove, GroveOptions):
            grove = self.grove.to_dict()
        else:
            grove = self.grove

        max_completion_tokens: int | None | Unset
        if isinstance(self.max_completion_tokens, Unset):
            max_completion_tokens = UNSET
        else:
            max_completion_tokens = self.max_completion_tokens

        max_tokens: int | None | Unset
        if isinstance(self.max_tokens, Unset):
            max_tokens = UNSET
        else:
            max_tokens = self.max_tokens

        stream: bool | None | Unset
        if isinstance(self.stream, Unset):
            stream = UNSET
        else:
            stream = self.stream

        stream_options: dict[str, Any] | None | Unset
        if isinstance(self.stream_options, Unset):
            stream_options = UNSET
        elif isinstance(self.stream_options, StreamOptions):
            stream_options = self.stream_options.to_dict()
        else:
            stream_options = self.stream_options

        temperature: float | None | Unset
        if isinstance(self.temperature, Unset):
            temperature = UNSET
        else:
            temperature = self.temperature


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "messages": messages,
            "model": model,
        })
        if grove is not UNSET:
            field_dict["grove"] = grove
        if max_completion_tokens is not UNSET:
            field_dict["max_completion_tokens"] = max_completion_tokens
        if max_tokens is not UNSET:
            field_dict["max_tokens"] = max_tokens
        if stream is not UNSET:
            field_dict["stream"] = stream
        if stream_options is not UNSET:
            field_dict["stream_options"] = stream_options
        if temperature is not UNSET:
            field_dict["temperature"] = temperature

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_completion_message import ChatCompletionMessage # noqa: PLC0415
        from ..models.grove_options import GroveOptions # noqa: PLC0415
        from ..models.stream_options import StreamOptions # noqa: PLC0415
        d = dict(src_dict)
        messages = []
        _messages = d.pop("messages")
        for messages_item_data in (_messages):
            messages_item = ChatCompletionMessage.from_dict(messages_item_data)



            messages.append(messages_item)


        model = d.pop("model")

        def _parse_grove(data: object) -> GroveOptions | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                grove_type_1 = GroveOptions.from_dict(data)



                return grove_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GroveOptions | None | Unset, data)

        grove = _parse_grove(d.pop("grove", UNSET))


        def _parse_max_completion_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_completion_tokens = _parse_max_completion_tokens(d.pop("max_completion_tokens", UNSET))


        def _parse_max_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_tokens = _parse_max_tokens(d.pop("max_tokens", UNSET))


        def _parse_stream(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        stream = _parse_stream(d.pop("stream", UNSET))


        def _parse_stream_options(data: object) -> None | StreamOptions | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                stream_options_type_1 = StreamOptions.from_dict(data)



                return stream_options_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StreamOptions | Unset, data)

        stream_options = _parse_stream_options(d.pop("stream_options", UNSET))


        def _parse_temperature(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        temperature = _parse_temperature(d.pop("temperature", UNSET))


        chat_completion_request = cls(
            messages=messages,
            model=model,
            grove=grove,
            max_completion_tokens=max_completion_tokens,
            max_tokens=max_tokens,
            stream=stream,
            stream_options=stream_options,
            temperature=temperature,
        )


        chat_completion_request.additional_properties = d
        return chat_completion_request

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
