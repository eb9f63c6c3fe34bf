from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.sync_status import SyncStatus






T = TypeVar("T", bound="SyncQueued")



@_attrs_define
class SyncQueued:
    """ 
        Attributes:
            data_source_id (str):
            status (SyncStatus): Where a sync stands.
            sync_id (str):
     """

    data_source_id: str
    status: SyncStatus
    sync_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        data_source_id = self.data_source_id

        status = self.status.value

        sync_id = self.sync_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "data_source_id": data_source_id,
            "status": status,
            "sync_id": sync_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        data_source_id = d.pop("data_source_id")

        status = SyncStatus(d.pop("status"))




        sync_id = d.pop("sync_id")

        sync_queued = cls(
            data_source_id=data_source_id,
            status=status,
            sync_id=sync_id,
        )


        sync_queued.additional_properties = d
        return sync_queued

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
