from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="EvalItemBody")



@_attrs_define
class EvalItemBody:
    """ One item as sent.

        Attributes:
            question (str): 1 to 4096 characters.
            expected_answer (None | str | Unset): Up to 10000 characters.
            expected_sources (list[str] | None | Unset): Up to 20, each matched against a cited source's document URL,
                title (case-insensitively) or document id.
     """

    question: str
    expected_answer: None | str | Unset = UNSET
    expected_sources: list[str] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        question = self.question

        expected_answer: None | str | Unset
        if isinstance(self.expected_answer, Unset):
            expected_answer = UNSET
        else:
            expected_answer = self.expected_answer

        expected_sources: list[str] | None | Unset
        if isinstance(self.expected_sources, Unset):
            expected_sources = UNSET
        elif isinstance(self.expected_sources, list):
            expected_sources = self.expected_sources


        else:
            expected_sources = self.expected_sources


        field_dict: dict[str, Any] = {}

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


        def _parse_expected_sources(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                expected_sources_type_0 = cast(list[str], data)

                return expected_sources_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        expected_sources = _parse_expected_sources(d.pop("expected_sources", UNSET))


        eval_item_body = cls(
            question=question,
            expected_answer=expected_answer,
            expected_sources=expected_sources,
        )

        return eval_item_body

