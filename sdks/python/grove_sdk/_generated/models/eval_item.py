from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="EvalItem")



@_attrs_define
class EvalItem:
    """ One question of an eval set.

        Attributes:
            question (str):
            expected_answer (None | str | Unset): What a good answer says; scored by embedding similarity.
            expected_sources (list[str] | Unset): Sources a good answer cites: each is matched against a cited
                source's document URL, title or document id (exact, after trimming;
                titles case-insensitively).
     """

    question: str
    expected_answer: None | str | Unset = UNSET
    expected_sources: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        question = self.question

        expected_answer: None | str | Unset
        if isinstance(self.expected_answer, Unset):
            expected_answer = UNSET
        else:
            expected_answer = self.expected_answer

        expected_sources: list[str] | Unset = UNSET
        if not isinstance(self.expected_sources, Unset):
            expected_sources = self.expected_sources




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "question": question,
        })
        if expected_answer is not UNSET:
            field_dict["expected_answer"] = expected_answer
        if expected_sources is not UNSET:
            field_dict["expected_sources"] = expected_sources

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        question = d.pop("question")

        def _parse_expected_answer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        expected_answer = _parse_expected_answer(d.pop("expected_answer", UNSET))


        expected_sources = cast(list[str], d.pop("expected_sources", UNSET))


        eval_item = cls(
            question=question,
            expected_answer=expected_answer,
            expected_sources=expected_sources,
        )


        eval_item.additional_properties = d
        return eval_item

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
