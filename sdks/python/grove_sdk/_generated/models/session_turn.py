from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.outcome import Outcome
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.cited_source import CitedSource





T = TypeVar("T", bound="SessionTurn")



@_attrs_define
class SessionTurn:
    """ 
        Attributes:
            created_at (datetime.datetime):
            interaction_id (str):
            outcome (Outcome): How an interaction ended: `answered` from retrieved sources;
                `no_answer` when nothing passed the similarity threshold and the
                agent said so; `cancelled` when the client went away first;
                `failed` when the generation provider failed.
            query (str):
            response (str):
            sources (list[CitedSource]):
     """

    created_at: datetime.datetime
    interaction_id: str
    outcome: Outcome
    query: str
    response: str
    sources: list[CitedSource]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.cited_source import CitedSource # noqa: PLC0415
        created_at = self.created_at.isoformat()

        interaction_id = self.interaction_id

        outcome = self.outcome.value

        query = self.query

        response = self.response

        sources = []
        for sources_item_data in self.sources:
            sources_item = sources_item_data.to_dict()
            sources.append(sources_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "interaction_id": interaction_id,
            "outcome": outcome,
            "query": query,
            "response": response,
            "sources": sources,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cited_source import CitedSource # noqa: PLC0415
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        interaction_id = d.pop("interaction_id")

        outcome = Outcome(d.pop("outcome"))




        query = d.pop("query")

        response = d.pop("response")

        sources = []
        _sources = d.pop("sources")
        for sources_item_data in (_sources):
            sources_item = CitedSource.from_dict(sources_item_data)



            sources.append(sources_item)


        session_turn = cls(
            created_at=created_at,
            interaction_id=interaction_id,
            outcome=outcome,
            query=query,
            response=response,
            sources=sources,
        )


        session_turn.additional_properties = d
        return session_turn

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
