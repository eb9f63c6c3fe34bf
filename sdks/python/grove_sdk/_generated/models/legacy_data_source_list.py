from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.legacy_data_source import LegacyDataSource





T = TypeVar("T", bound="LegacyDataSourceList")



@_attrs_define
class LegacyDataSourceList:
    """ 
        Attributes:
            data_sources (list[LegacyDataSource]):
            limit (int):
            offset (int):
            total (int):
     """

    data_sources: list[LegacyDataSource]
    limit: int
    offset: int
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_data_source import LegacyDataSource # noqa: PLC0415
        data_sources = []
        for data_sources_item_data in self.data_sources:
            data_sources_item = data_sources_item_data.to_dict()
            data_sources.append(data_sources_item)



        limit = self.limit

        offset = self.offset

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "dataSources": data_sources,
            "limit": limit,
            "offset": offset,
            "total": total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_data_source import LegacyDataSource # noqa: PLC0415
        d = dict(src_dict)
        data_sources = []
        _data_sources = d.pop("dataSources")
        for data_sources_item_data in (_data_sources):
            data_sources_item = LegacyDataSource.from_dict(data_sources_item_data)



            data_sources.append(data_sources_item)


        limit = d.pop("limit")

        offset = d.pop("offset")

        total = d.pop("total")

        legacy_data_source_list = cls(
            data_sources=data_sources,
            limit=limit,
            offset=offset,
            total=total,
        )


        legacy_data_source_list.additional_properties = d
        return legacy_data_source_list

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
