from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="TestReport")



@_attrs_define
class TestReport:
    """ `POST …/test`: how long the round trip took and what is visible.

        Attributes:
            latency_ms (float):
            ok (bool):
            tables (list[str]): `dataset.table` of every allowed table that exists.
     """

    latency_ms: float
    ok: bool
    tables: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        latency_ms = self.latency_ms

        ok = self.ok

        tables = self.tables




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "latency_ms": latency_ms,
            "ok": ok,
            "tables": tables,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        latency_ms = d.pop("latency_ms")

        ok = d.pop("ok")

        tables = cast(list[str], d.pop("tables"))


        test_report = cls(
            latency_ms=latency_ms,
            ok=ok,
            tables=tables,
        )


        test_report.additional_properties = d
        return test_report

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
