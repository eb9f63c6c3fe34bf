from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.chat_metadata import ChatMetadata
  from ..models.chat_source import ChatSource
  from ..models.chat_stream_frame_error import ChatStreamFrameError





T = TypeVar("T", bound="ChatStreamFrame")



@_attrs_define
class ChatStreamFrame:
    """ 
        Attributes:
            delta (str): The next piece of the answer's text
            done (bool):
            error (ChatStreamFrameError | Unset): `{code, message, details}` when generation failed
            metadata (ChatMetadata | Unset):
            sources (list[ChatSource] | Unset):
     """

    delta: str
    done: bool
    error: ChatStreamFrameError | Unset = UNSET
    metadata: ChatMetadata | Unset = UNSET
    sources: list[ChatSource] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.chat_metadata import ChatMetadata # noqa: PLC0415
        from ..models.chat_source import ChatSource # noqa: PLC0415
        from ..models.chat_stream_frame_error import ChatStreamFrameError # noqa: PLC0415
        delta = self.delta

        done = self.done

        error: dict[str, Any] | Unset = UNSET
        if not isinstance(self.error, Unset):
            error = self.error.to_dict()

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        sources: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sources, Unset):
            sources = []
            for sources_item_data in self.sources:
                sources_item = sources_item_data.to_dict()
                sources.append(sources_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "delta": delta,
            "done": done,
        })
        if error is not UNSET:
            field_dict["error"] = error
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if sources is not UNSET:
            field_dict["sources"] = sources

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_metadata import ChatMetadata # noqa: PLC0415
        from ..models.chat_source import ChatSource # noqa: PLC0415
        from ..models.chat_stream_frame_error import ChatStreamFrameError # noqa: PLC0415
        d = dict(src_dict)
        delta = d.pop("delta")

        done = d.pop("done")

        _error = d.pop("error", UNSET)
        error: ChatStreamFrameError | Unset
        if isinstance(_error,  Unset):
            error = UNSET
        else:
            error = ChatStreamFrameError.from_dict(_error)




        _metadata = d.pop("metadata", UNSET)
        metadata: ChatMetadata | Unset
        if isinstance(_metadata,  Unset):
            metadata = UNSET
        else:
            metadata = ChatMetadata.from_dict(_metadata)




        _sources = d.pop("sources", UNSET)
        sources: list[ChatSource] | Unset = UNSET
        if _sources is not UNSET:
            sources = []
            for sources_item_data in _sources:
                sources_item = ChatSource.from_dict(sources_item_data)



                sources.append(sources_item)


        chat_stream_frame = cls(
            delta=delta,
            done=done,
            error=error,
            metadata=metadata,
            sources=sources,
        )


        chat_stream_frame.additional_properties = d
        return chat_stream_frame

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
