from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.chunk_choice_delta import ChunkChoiceDelta





T = TypeVar("T", bound="ChunkChoice")



@_attrs_define
class ChunkChoice:
    """ 
        Attributes:
            delta (ChunkChoiceDelta): `{"role":"assistant","content":""}` first, then `{"content": …}`,
                then `{}` with the finish reason.
            index (int):
            finish_reason (None | str | Unset): `stop` on the last choice, else null.
     """

    delta: ChunkChoiceDelta
    index: int
    finish_reason: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.chunk_choice_delta import ChunkChoiceDelta # noqa: PLC0415
        delta = self.delta.to_dict()

        index = self.index

        finish_reason: None | str | Unset
        if isinstance(self.finish_reason, Unset):
            finish_reason = UNSET
        else:
            finish_reason = self.finish_reason


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "delta": delta,
            "index": index,
        })
        if finish_reason is not UNSET:
            field_dict["finish_reason"] = finish_reason

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chunk_choice_delta import ChunkChoiceDelta # noqa: PLC0415
        d = dict(src_dict)
        delta = ChunkChoiceDelta.from_dict(d.pop("delta"))




        index = d.pop("index")

        def _parse_finish_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        finish_reason = _parse_finish_reason(d.pop("finish_reason", UNSET))


        chunk_choice = cls(
            delta=delta,
            index=index,
            finish_reason=finish_reason,
        )


        chunk_choice.additional_properties = d
        return chunk_choice

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
