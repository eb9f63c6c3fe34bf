from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="Metrics")



@_attrs_define
class Metrics:
    """ Totals over the range; a rate is null when nothing counts toward it.

        Attributes:
            total_cost_usd (float):
            total_queries (int):
            unique_users (int): Distinct askers: the console user who asked, else the key's user,
                else the key.
            accuracy_rate (float | None | Unset): Positive feedback ÷ rated answers.
            avg_latency_ms (float | None | Unset):
            citation_rate (float | None | Unset): Answers citing at least one source ÷ answers.
            no_answer_rate (float | None | Unset): No-answer replies ÷ queries.
     """

    total_cost_usd: float
    total_queries: int
    unique_users: int
    accuracy_rate: float | None | Unset = UNSET
    avg_latency_ms: float | None | Unset = UNSET
    citation_rate: float | None | Unset = UNSET
    no_answer_rate: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        total_cost_usd = self.total_cost_usd

        total_queries = self.total_queries

        unique_users = self.unique_users

        accuracy_rate: float | None | Unset
        if isinstance(self.accuracy_rate, Unset):
            accuracy_rate = UNSET
        else:
            accuracy_rate = self.accuracy_rate

        avg_latency_ms: float | None | Unset
        if isinstance(self.avg_latency_ms, Unset):
            avg_latency_ms = UNSET
        else:
            avg_latency_ms = self.avg_latency_ms

        citation_rate: float | None | Unset
        if isinstance(self.citation_rate, Unset):
            citation_rate = UNSET
        else:
            citation_rate = self.citation_rate

        no_answer_rate: float | None | Unset
        if isinstance(self.no_answer_rate, Unset):
            no_answer_rate = UNSET
        else:
            no_answer_rate = self.no_answer_rate


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "total_cost_usd": total_cost_usd,
            "total_queries": total_queries,
            "unique_users": unique_users,
        })
        if accuracy_rate is not UNSET:
            field_dict["accuracy_rate"] = accuracy_rate
        if avg_latency_ms is not UNSET:
            field_dict["avg_latency_ms"] = avg_latency_ms
        if citation_rate is not UNSET:
            field_dict["citation_rate"] = citation_rate
        if no_answer_rate is not UNSET:
            field_dict["no_answer_rate"] = no_answer_rate

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        total_cost_usd = d.pop("total_cost_usd")

        total_queries = d.pop("total_queries")

        unique_users = d.pop("unique_users")

        def _parse_accuracy_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        accuracy_rate = _parse_accuracy_rate(d.pop("accuracy_rate", UNSET))


        def _parse_avg_latency_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        avg_latency_ms = _parse_avg_latency_ms(d.pop("avg_latency_ms", UNSET))


        def _parse_citation_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        citation_rate = _parse_citation_rate(d.pop("citation_rate", UNSET))


        def _parse_no_answer_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        no_answer_rate = _parse_no_answer_rate(d.pop("no_answer_rate", UNSET))


        metrics = cls(
            total_cost_usd=total_cost_usd,
            total_queries=total_queries,
            unique_users=unique_users,
            accuracy_rate=accuracy_rate,
            avg_latency_ms=avg_latency_ms,
            citation_rate=citation_rate,
            no_answer_rate=no_answer_rate,
        )


        metrics.additional_properties = d
        return metrics

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
