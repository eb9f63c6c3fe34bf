from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.data_connector import DataConnector





T = TypeVar("T", bound="DataConnectorList")



@_attrs_define
class DataConnectorList:
    """ 
        Attributes:
            data_connectors (list[DataConnector]):
            limit (int):
            offset (int):
            total (int):
     """

    data_connectors: list[DataConnector]
    limit: int
    offset: int
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.data_connector import DataConnector # noqa: PLC0415
        data_connectors = []
        for data_connectors_item_data in self.data_connectors:
            data_connectors_item = data_connectors_item_data.to_dict()
            data_connectors.append(data_connectors_item)



        limit = self.limit

        offset = self.offset

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "data_connectors": data_connectors,
            "limit": limit,
            "offset": offset,
            "total": total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_connector import DataConnector # noqa: PLC0415
        d = dict(src_dict)
        data_connectors = []
        _data_connectors = d.pop("data_connectors")
        for data_connectors_item_data in (_data_connectors):
            data_connectors_item = DataConnector.from_dict(data_connectors_item_data)



            data_connectors.append(data_connectors_item)


        limit = d.pop("limit")

        offset = d.pop("offset")

        total = d.pop("total")

        data_connector_list = cls(
            data_connectors=data_connectors,
            limit=limit,
            offset=offset,
            total=total,
        )


        data_connector_list.additional_properties = d
        return data_connector_list

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
