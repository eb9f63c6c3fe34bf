from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="Point")



@_attrs_define
class Point:
    """ One bucket of the time series; percentiles are null when it is empty.

        Attributes:
            queries (int):
            timestamp (datetime.datetime):
            latency_p50 (int | None | Unset):
            latency_p95 (int | None | Unset):
     """

    queries: int
    timestamp: datetime.datetime
    latency_p50: int | None | Unset = UNSET
    latency_p95: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        queries = self.queries

        timestamp = self.timestamp.isoformat()

        latency_p50: int | None | Unset
        if isinstance(self.latency_p50, Unset):
            latency_p50 = UNSET
        else:
            latency_p50 = self.latency_p50

        latency_p95: int | None | Unset
        if isinstance(self.latency_p95, Unset):
            latency_p95 = UNSET
        else:
            latency_p95 = self.latency_p95


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "queries": queries,
            "timestamp": timestamp,
        })
        if latency_p50 is not UNSET:
            field_dict["latency_p50"] = latency_p50
        if latency_p95 is not UNSET:
            field_dict["latency_p95"] = latency_p95

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        queries = d.pop("queries")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))




        def _parse_latency_p50(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        latency_p50 = _parse_latency_p50(d.pop("latency_p50", UNSET))


        def _parse_latency_p95(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        latency_p95 = _parse_latency_p95(d.pop("latency_p95", UNSET))


        point = cls(
            queries=queries,
            timestamp=timestamp,
            latency_p50=latency_p50,
            latency_p95=latency_p95,
        )


        point.additional_properties = d
        return point

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
