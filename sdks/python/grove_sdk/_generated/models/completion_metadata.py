from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.outcome import Outcome
from ..models.rag_strategy import RagStrategy
from typing import cast






T = TypeVar("T", bound="CompletionMetadata")



@_attrs_define
class CompletionMetadata:
    """ What Grove adds beside OpenAI's fields.

        Attributes:
            agent_id (str):
            interaction_id (str):
            outcome (Outcome): How an interaction ended: `answered` from retrieved sources;
                `no_answer` when nothing passed the similarity threshold and the
                agent said so; `cancelled` when the client went away first;
                `failed` when the generation provider failed.
            queries (list[str]): The queries retrieval ran.
            rag_strategy (RagStrategy): How an agent retrieves: `redwood` searches with the question as
                asked; `cedar` first rewrites it into a standalone question using
                the session; `cypress` expands it into several queries, retrieves
                wider, fuses and reranks.
     """

    agent_id: str
    interaction_id: str
    outcome: Outcome
    queries: list[str]
    rag_strategy: RagStrategy
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        agent_id = self.agent_id

        interaction_id = self.interaction_id

        outcome = self.outcome.value

        queries = self.queries



        rag_strategy = self.rag_strategy.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agent_id": agent_id,
            "interaction_id": interaction_id,
            "outcome": outcome,
            "queries": queries,
            "rag_strategy": rag_strategy,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        interaction_id = d.pop("interaction_id")

        outcome = Outcome(d.pop("outcome"))




        queries = cast(list[str], d.pop("queries"))


        rag_strategy = RagStrategy(d.pop("rag_strategy"))




        completion_metadata = cls(
            agent_id=agent_id,
            interaction_id=interaction_id,
            outcome=outcome,
            queries=queries,
            rag_strategy=rag_strategy,
        )


        completion_metadata.additional_properties = d
        return completion_metadata

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
