from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="EvalAggregate")



@_attrs_define
class EvalAggregate:
    """ A run's totals.

        Attributes:
            errors (int): Scored items with an error.
            items (int): Items in the run.
            scored (int): Items answered and scored (errors included).
            citation_rate (float | None | Unset): Scored items whose answer cites a source ÷ scored items.
            mean_answer_similarity (float | None | Unset): Mean of the non-null similarities; null when there is none.
            retrieval_hit_rate (float | None | Unset): Hits ÷ scored items with expected sources (an item with an error
                counts as a miss); null when none has expected sources.
     """

    errors: int
    items: int
    scored: int
    citation_rate: float | None | Unset = UNSET
    mean_answer_similarity: float | None | Unset = UNSET
    retrieval_hit_rate: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        errors = self.errors

        items = self.items

        scored = self.scored

        citation_rate: float | None | Unset
        if isinstance(self.citation_rate, Unset):
            citation_rate = UNSET
        else:
            citation_rate = self.citation_rate

        mean_answer_similarity: float | None | Unset
        if isinstance(self.mean_answer_similarity, Unset):
            mean_answer_similarity = UNSET
        else:
            mean_answer_similarity = self.mean_answer_similarity

        retrieval_hit_rate: float | None | Unset
        if isinstance(self.retrieval_hit_rate, Unset):
            retrieval_hit_rate = UNSET
        else:
            retrieval_hit_rate = self.retrieval_hit_rate


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "errors": errors,
            "items": items,
            "scored": scored,
        })
        if citation_rate is not UNSET:
            field_dict["citation_rate"] = citation_rate
        if mean_answer_similarity is not UNSET:
            field_dict["mean_answer_similarity"] = mean_answer_similarity
        if retrieval_hit_rate is not UNSET:
            field_dict["retrieval_hit_rate"] = retrieval_hit_rate

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        errors = d.pop("errors")

        items = d.pop("items")

        scored = d.pop("scored")

        def _parse_citation_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        citation_rate = _parse_citation_rate(d.pop("citation_rate", UNSET))


        def _parse_mean_answer_similarity(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mean_answer_similarity = _parse_mean_answer_similarity(d.pop("mean_answer_similarity", UNSET))


        def _parse_retrieval_hit_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        retrieval_hit_rate = _parse_retrieval_hit_rate(d.pop("retrieval_hit_rate", UNSET))


        eval_aggregate = cls(
            errors=errors,
            items=items,
            scored=scored,
            citation_rate=citation_rate,
            mean_answer_similarity=mean_answer_similarity,
            retrieval_hit_rate=retrieval_hit_rate,
        )


        eval_aggregate.additional_properties = d
        return eval_aggregate

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
