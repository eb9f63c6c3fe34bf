from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.cited_ref import CitedRef





T = TypeVar("T", bound="EvalItemResult")



@_attrs_define
class EvalItemResult:
    """ An item of a run: the question as snapshotted when the run was created,
    and its score once answered (`scored_at` null until then).

        Attributes:
            cited_sources (list[CitedRef]):
            expected_sources (list[str]):
            position (int):
            question (str):
            answer (None | str | Unset):
            answer_similarity (float | None | Unset):
            citation_present (bool | None | Unset):
            error (None | str | Unset):
            expected_answer (None | str | Unset):
            latency_ms (int | None | Unset):
            retrieval_hit (bool | None | Unset):
            scored_at (datetime.datetime | None | Unset):
     """

    cited_sources: list[CitedRef]
    expected_sources: list[str]
    position: int
    question: str
    answer: None | str | Unset = UNSET
    answer_similarity: float | None | Unset = UNSET
    citation_present: bool | None | Unset = UNSET
    error: None | str | Unset = UNSET
    expected_answer: None | str | Unset = UNSET
    latency_ms: int | None | Unset = UNSET
    retrieval_hit: bool | None | Unset = UNSET
    scored_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.cited_ref import CitedRef # noqa: PLC0415
        cited_sources = []
        for cited_sources_item_data in self.cited_sources:
            cited_sources_item = cited_sources_item_data.to_dict()
            cited_sources.append(cited_sources_item)



        expected_sources = self.expected_sources



        position = self.position

        question = self.question

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

        expected_answer: None | str | Unset
        if isinstance(self.expected_answer, Unset):
            expected_answer = UNSET
        else:
            expected_answer = self.expected_answer

        latency_ms: int | None | Unset
        if isinstance(self.latency_ms, Unset):
            latency_ms = UNSET
        else:
            latency_ms = self.latency_ms

        retrieval_hit: bool | None | Unset
        if isinstance(self.retrieval_hit, Unset):
            retrieval_hit = UNSET
        else:
            retrieval_hit = self.retrieval_hit

        scored_at: None | str | Unset
        if isinstance(self.scored_at, Unset):
            scored_at = UNSET
        elif isinstance(self.scored_at, datetime.datetime):
            scored_at = self.scored_at.isoformat()
        else:
            scored_at = self.scored_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "cited_sources": cited_sources,
            "expected_sources": expected_sources,
            "position": position,
            "question": question,
        })
        if answer is not UNSET:
            field_dict["answer"] = answer
        if answer_similarity is not UNSET:
            field_dict["answer_similarity"] = answer_similarity
        if citation_present is not UNSET:
            field_dict["citation_present"] = citation_present
        if error is not UNSET:
            field_dict["error"] = error
        if expected_answer is not UNSET:
            field_dict["expected_answer"] = expected_answer
        if latency_ms is not UNSET:
            field_dict["latency_ms"] = latency_ms
        if retrieval_hit is not UNSET:
            field_dict["retrieval_hit"] = retrieval_hit
        if scored_at is not UNSET:
            field_dict["scored_at"] = scored_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cited_ref import CitedRef # noqa: PLC0415
        d = dict(src_dict)
        cited_sources = []
        _cited_sources = d.pop("cited_sources")
        for cited_sources_item_data in (_cited_sources):
            cited_sources_item = CitedRef.from_dict(cited_sources_item_data)



            cited_sources.append(cited_sources_item)


        expected_sources = cast(list[str], d.pop("expected_sources"))


        position = d.pop("position")

        question = d.pop("question")

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


        def _parse_expected_answer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        expected_answer = _parse_expected_answer(d.pop("expected_answer", UNSET))


        def _parse_latency_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        latency_ms = _parse_latency_ms(d.pop("latency_ms", UNSET))


        def _parse_retrieval_hit(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        retrieval_hit = _parse_retrieval_hit(d.pop("retrieval_hit", UNSET))


        def _parse_scored_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                scored_at_type_0 = datetime.datetime.fromisoformat(data)



                return scored_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        scored_at = _parse_scored_at(d.pop("scored_at", UNSET))


        eval_item_result = cls(
            cited_sources=cited_sources,
            expected_sources=expected_sources,
            position=position,
            question=question,
            answer=answer,
            answer_similarity=answer_similarity,
            citation_present=citation_present,
            error=error,
            expected_answer=expected_answer,
            latency_ms=latency_ms,
            retrieval_hit=retrieval_hit,
            scored_at=scored_at,
        )


        eval_item_result.additional_properties = d
        return eval_item_result

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
