from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.feedback import Feedback
from ..models.outcome import Outcome
from ..models.rag_strategy import RagStrategy
from ..models.review_status import ReviewStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.cited_source import CitedSource
  from ..models.retrieval_trace import RetrievalTrace





T = TypeVar("T", bound="Interaction")



@_attrs_define
class Interaction:
    """ One question and its answer.

        Attributes:
            agent_id (str):
            cost_usd (float):
            created_at (datetime.datetime):
            id (str):
            latency_ms (int):
            model (str):
            org_id (str):
            outcome (Outcome): How an interaction ended: `answered` from retrieved sources;
                `no_answer` when nothing passed the similarity threshold and the
                agent said so; `cancelled` when the client went away first;
                `failed` when the generation provider failed.
            query (str):
            rag_strategy (RagStrategy): How an agent retrieves: `redwood` searches with the question as
                asked; `cedar` first rewrites it into a standalone question using
                the session; `cypress` expands it into several queries, retrieves
                wider, fuses and reranks.
            response (str):
            retrieval (RetrievalTrace): How retrieval went: the queries run and how long each step took.
            review_status (ReviewStatus): Where an answer is in the review inbox: `not_reviewed` until a
                reviewer marks it `accurate`, `inaccurate` or `no_answer` (nothing
                could have answered it), or `edited` with a corrected answer.
            sources (list[CitedSource]):
            tokens_input (int):
            tokens_output (int):
            edited_answer (None | str | Unset): The reviewer's corrected answer (status `edited`).
            error (None | str | Unset): Why generation failed, for `failed`.
            feedback (Feedback | None | Unset):
            feedback_comment (None | str | Unset):
            kb_article_id (None | str | Unset):
            key_id (None | str | Unset):
            rating (int | None | Unset): A legacy 1–5 rating, when feedback came that way.
            reviewed_at (datetime.datetime | None | Unset):
            session_id (None | str | Unset):
     """

    agent_id: str
    cost_usd: float
    created_at: datetime.datetime
    id: str
    latency_ms: int
    model: str
    org_id: str
    outcome: Outcome
    query: str
    rag_strategy: RagStrategy
    response: str
    retrieval: RetrievalTrace
    review_status: ReviewStatus
    sources: list[CitedSource]
    tokens_input: int
    tokens_output: int
    edited_answer: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    feedback: Feedback | None | Unset = UNSET
    feedback_comment: None | str | Unset = UNSET
    kb_article_id: None | str | Unset = UNSET
    key_id: None | str | Unset = UNSET
    rating: int | None | Unset = UNSET
    reviewed_at: datetime.datetime | None | Unset = UNSET
    session_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.cited_source import CitedSource # noqa: PLC0415
        from ..models.retrieval_trace import RetrievalTrace # noqa: PLC0415
        agent_id = self.agent_id

        cost_usd = self.cost_usd

        created_at = self.created_at.isoformat()

        id = self.id

        latency_ms = self.latency_ms

        model = self.model

        org_id = self.org_id

        outcome = self.outcome.value

        query = self.query

        rag_strategy = self.rag_strategy.value

        response = self.response

        retrieval = self.retrieval.to_dict()

        review_status = self.review_status.value

        sources = []
        for sources_item_data in self.sources:
            sources_item = sources_item_data.to_dict()
            sources.append(sources_item)



        tokens_input = self.tokens_input

        tokens_output = self.tokens_output

        edited_answer: None | str | Unset
        if isinstance(self.edited_answer, Unset):
            edited_answer = UNSET
        else:
            edited_answer = self.edited_answer

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        feedback: None | str | Unset
        if isinstance(self.feedback, Unset):
            feedback = UNSET
        elif isinstance(self.feedback, Feedback):
            feedback = self.feedback.value
        else:
            feedback = self.feedback

        feedback_comment: None | str | Unset
        if isinstance(self.feedback_comment, Unset):
            feedback_comment = UNSET
        else:
            feedback_comment = self.feedback_comment

        kb_article_id: None | str | Unset
        if isinstance(self.kb_article_id, Unset):
            kb_article_id = UNSET
        else:
            kb_article_id = self.kb_article_id

        key_id: None | str | Unset
        if isinstance(self.key_id, Unset):
            key_id = UNSET
        else:
            key_id = self.key_id

        rating: int | None | Unset
        if isinstance(self.rating, Unset):
            rating = UNSET
        else:
            rating = self.rating

        reviewed_at: None | str | Unset
        if isinstance(self.reviewed_at, Unset):
            reviewed_at = UNSET
        elif isinstance(self.reviewed_at, datetime.datetime):
            reviewed_at = self.reviewed_at.isoformat()
        else:
            reviewed_at = self.reviewed_at

        session_id: None | str | Unset
        if isinstance(self.session_id, Unset):
            session_id = UNSET
        else:
            session_id = self.session_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agent_id": agent_id,
            "cost_usd": cost_usd,
            "created_at": created_at,
            "id": id,
            "latency_ms": latency_ms,
            "model": model,
            "org_id": org_id,
            "outcome": outcome,
            "query": query,
            "rag_strategy": rag_strategy,
            "response": response,
            "retrieval": retrieval,
            "review_status": review_status,
            "sources": sources,
            "tokens_input": tokens_input,
            "tokens_output": tokens_output,
        })
        if edited_answer is not UNSET:
            field_dict["edited_answer"] = edited_answer
        if error is not UNSET:
            field_dict["error"] = error
        if feedback is not UNSET:
            field_dict["feedback"] = feedback
        if feedback_comment is not UNSET:
            field_dict["feedback_comment"] = feedback_comment
        if kb_article_id is not UNSET:
            field_dict["kb_article_id"] = kb_article_id
        if key_id is not UNSET:
            field_dict["key_id"] = key_id
        if rating is not UNSET:
            field_dict["rating"] = rating
        if reviewed_at is not UNSET:
            field_dict["reviewed_at"] = reviewed_at
        if session_id is not UNSET:
            field_dict["session_id"] = session_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cited_source import CitedSource # noqa: PLC0415
        from ..models.retrieval_trace import RetrievalTrace # noqa: PLC0415
        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        cost_usd = d.pop("cost_usd")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        id = d.pop("id")

        latency_ms = d.pop("latency_ms")

        model = d.pop("model")

        org_id = d.pop("org_id")

        outcome = Outcome(d.pop("outcome"))




        query = d.pop("query")

        rag_strategy = RagStrategy(d.pop("rag_strategy"))




        response = d.pop("response")

        retrieval = RetrievalTrace.from_dict(d.pop("retrieval"))




        review_status = ReviewStatus(d.pop("review_status"))




        sources = []
        _sources = d.pop("sources")
        for sources_item_data in (_sources):
            sources_item = CitedSource.from_dict(sources_item_data)



            sources.append(sources_item)


        tokens_input = d.pop("tokens_input")

        tokens_output = d.pop("tokens_output")

        def _parse_edited_answer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        edited_answer = _parse_edited_answer(d.pop("edited_answer", UNSET))


        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_feedback(data: object) -> Feedback | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                feedback_type_1 = Feedback(data)



                return feedback_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Feedback | None | Unset, data)

        feedback = _parse_feedback(d.pop("feedback", UNSET))


        def _parse_feedback_comment(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        feedback_comment = _parse_feedback_comment(d.pop("feedback_comment", UNSET))


        def _parse_kb_article_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        kb_article_id = _parse_kb_article_id(d.pop("kb_article_id", UNSET))


        def _parse_key_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        key_id = _parse_key_id(d.pop("key_id", UNSET))


        def _parse_rating(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rating = _parse_rating(d.pop("rating", UNSET))


        def _parse_reviewed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                reviewed_at_type_0 = datetime.datetime.fromisoformat(data)



                return reviewed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        reviewed_at = _parse_reviewed_at(d.pop("reviewed_at", UNSET))


        def _parse_session_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        session_id = _parse_session_id(d.pop("session_id", UNSET))


        interaction = cls(
            agent_id=agent_id,
            cost_usd=cost_usd,
            created_at=created_at,
            id=id,
            latency_ms=latency_ms,
            model=model,
            org_id=org_id,
            outcome=outcome,
            query=query,
            rag_strategy=rag_strategy,
            response=response,
            retrieval=retrieval,
            review_status=review_status,
            sources=sources,
            tokens_input=tokens_input,
            tokens_output=tokens_output,
            edited_answer=edited_answer,
            error=error,
            feedback=feedback,
            feedback_comment=feedback_comment,
            kb_article_id=kb_article_id,
            key_id=key_id,
            rating=rating,
            reviewed_at=reviewed_at,
            session_id=session_id,
        )


        interaction.additional_properties = d
        return interaction

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
