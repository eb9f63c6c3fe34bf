from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="Triggered")



@_attrs_define
class Triggered:
    """ The seed's trigger answer; `chat_ids` and `run_ids` list every run of a
    fan-out (the first is `chat_id`).

        Attributes:
            chat_ids (list[str]):
            job_id (str):
            run_id (str):
            run_ids (list[str]):
            success (bool):
            chat_id (None | str | Unset):
     """

    chat_ids: list[str]
    job_id: str
    run_id: str
    run_ids: list[str]
    success: bool
    chat_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        chat_ids = self.chat_ids



        job_id = self.job_id

        run_id = self.run_id

        run_ids = self.run_ids



        success = self.success

        chat_id: None | str | Unset
        if isinstance(self.chat_id, Unset):
            chat_id = UNSET
        else:
            chat_id = self.chat_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chat_ids": chat_ids,
            "job_id": job_id,
            "run_id": run_id,
            "run_ids": run_ids,
            "success": success,
        })
        if chat_id is not UNSET:
            field_dict["chat_id"] = chat_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        chat_ids = cast(list[str], d.pop("chat_ids"))


        job_id = d.pop("job_id")

        run_id = d.pop("run_id")

        run_ids = cast(list[str], d.pop("run_ids"))


        success = d.pop("success")

        def _parse_chat_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        chat_id = _parse_chat_id(d.pop("chat_id", UNSET))


        triggered = cls(
            chat_ids=chat_ids,
            job_id=job_id,
            run_id=run_id,
            run_ids=run_ids,
            success=success,
            chat_id=chat_id,
        )


        triggered.additional_properties = d
        return triggered

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
