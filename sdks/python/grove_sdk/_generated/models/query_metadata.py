from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.outcome import Outcome
from ..models.rag_strategy import RagStrategy
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="QueryMetadata")



@_attrs_define
class QueryMetadata:
    """ 
        Attributes:
            cost_usd (float):
            interaction_id (str):
            latency_ms (int):
            model (str):
            outcome (Outcome): How an interaction ended: `answered` from retrieved sources;
                `no_answer` when nothing passed the similarity threshold and the
                agent said so; `cancelled` when the client went away first;
                `failed` when the generation provider failed.
            queries (list[str]): The queries retrieval ran (rewritten by cedar, expanded by cypress).
            rag_strategy (RagStrategy): How an agent retrieves: `redwood` searches with the question as
                asked; `cedar` first rewrites it into a standalone question using
                the session; `cypress` expands it into several queries, retrieves
                wider, fuses and reranks.
            tokens_input (int):
            tokens_output (int):
            session_id (None | str | Unset):
     """

    cost_usd: float
    interaction_id: str
    latency_ms: int
    model: str
    outcome: Outcome
    queries: list[str]
    rag_strategy: RagStrategy
    tokens_input: int
    tokens_output: int
    session_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        cost_usd = self.cost_usd

        interaction_id = self.interaction_id

        latency_ms = self.latency_ms

        model = self.model

        outcome = self.outcome.value

        queries = self.queries



        rag_strategy = self.rag_strategy.value

        tokens_input = self.tokens_input

        tokens_output = self.tokens_output

        session_id: None | str | Unset
        if isinstance(self.session_id, Unset):
            session_id = UNSET
        else:
            session_id = self.session_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "cost_usd": cost_usd,
            "interaction_id": interaction_id,
            "latency_ms": latency_ms,
            "model": model,
            "outcome": outcome,
            "queries": queries,
            "rag_strategy": rag_strategy,
            "tokens_input": tokens_input,
            "tokens_output": tokens_output,
        })
        if session_id is not UNSET:
            field_dict["session_id"] = session_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cost_usd = d.pop("cost_usd")

        interaction_id = d.pop("interaction_id")

        latency_ms = d.pop("latency_ms")

        model = d.pop("model")

        outcome = Outcome(d.pop("outcome"))




        queries = cast(list[str], d.pop("queries"))


        rag_strategy = RagStrategy(d.pop("rag_strategy"))




        tokens_input = d.pop("tokens_input")

        tokens_output = d.pop("tokens_output")

        def _parse_session_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        session_id = _parse_session_id(d.pop("session_id", UNSET))


        query_metadata = cls(
            cost_usd=cost_usd,
            interaction_id=interaction_id,
            latency_ms=latency_ms,
            model=model,
            outcome=outcome,
            queries=queries,
            rag_strategy=rag_strategy,
            tokens_input=tokens_input,
            tokens_output=tokens_output,
            session_id=session_id,
        )


        query_metadata.additional_properties = d
        return query_metadata

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
