from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ItemSide")



@_attrs_define
class ItemSide:
    """ One item's score in one run.

        Attributes:
            answer (None | str | Unset):
            answer_similarity (float | None | Unset):
            citation_present (bool | None | Unset):
            error (None | str | Unset):
            retrieval_hit (bool | None | Unset):
     """

    answer: None | str | Unset = UNSET
    answer_similarity: float | None | Unset = UNSET
    citation_present: bool | None | Unset = UNSET
    error: None | str | Unset = UNSET
    retrieval_hit: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        answer: None | str | Unset
        if isinstance(self.answer, Unset):
            answer = UNSET
        else:
            answer = self.answer

        answer_similarity: float | None | Unset
        if isinstance(self.answer_similarity, Unset):
            answer_similarity = UNSET
        else:
            answer_similarity = self.answer_similarity

        citation_present: bool | None | Unset
        if isinstance(self.citation_present, Unset):
            citation_present = UNSET
        else:
            citation_present = self.citation_present

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        retrieval_hit: bool | None | Unset
        if isinstance(self.retrieval_hit, Unset):
            retrieval_hit = UNSET
        else:
            retrieval_hit = self.retrieval_hit


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if answer is not UNSET:
            field_dict["answer"] = answer
        if answer_similarity is not UNSET:
            field_dict["answer_similarity"] = answer_similarity
        if citation_present is not UNSET:
            field_dict["citation_present"] = citation_present
        if error is not UNSET:
            field_dict["error"] = error
        if retrieval_hit is not UNSET:
            field_dict["retrieval_hit"] = retrieval_hit

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_answer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        answer = _parse_answer(d.pop("answer", UNSET))


        def _parse_answer_similarity(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        answer_similarity = _parse_answer_similarity(d.pop("answer_similarity", UNSET))


        def _parse_citation_present(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        citation_present = _parse_citation_present(d.pop("citation_present", UNSET))


        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_retrieval_hit(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        retrieval_hit = _parse_retrieval_hit(d.pop("retrieval_hit", UNSET))


        item_side = cls(
            answer=answer,
            answer_similarity=answer_similarity,
            citation_present=citation_present,
            error=error,
            retrieval_hit=retrieval_hit,
        )


        item_side.additional_properties = d
        return item_side

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
