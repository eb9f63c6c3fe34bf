from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_outcome import LegacyOutcome
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="LegacyChatMetadata")



@_attrs_define
class LegacyChatMetadata:
    """ 
        Attributes:
            confidence (float): The best similarity among the cited sources (0 without citations).
            interaction_id (str):
            latency (float): Seconds.
            outcome (LegacyOutcome): How an interaction ended: `answered` from retrieved sources;
                `no_answer` when nothing passed the similarity threshold and the
                agent said so; `cancelled` when the client went away first;
                `failed` when the generation provider failed.
            strategy (str): REDWOOD, CEDAR or CYPRESS.
            tokens_used (int):
            session_id (None | str | Unset):
     """

    confidence: float
    interaction_id: str
    latency: float
    outcome: LegacyOutcome
    strategy: str
    tokens_used: int
    session_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        confidence = self.confidence

        interaction_id = self.interaction_id

        latency = self.latency

        outcome = self.outcome.value

        strategy = self.strategy

        tokens_used = self.tokens_used

        session_id: None | str | Unset
        if isinstance(self.session_id, Unset):
            session_id = UNSET
        else:
            session_id = self.session_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "confidence": confidence,
            "interactionId": interaction_id,
            "latency": latency,
            "outcome": outcome,
            "strategy": strategy,
            "tokensUsed": tokens_used,
        })
        if session_id is not UNSET:
            field_dict["sessionId"] = session_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        confidence = d.pop("confidence")

        interaction_id = d.pop("interactionId")

        latency = d.pop("latency")

        outcome = LegacyOutcome(d.pop("outcome"))




        strategy = d.pop("strategy")

        tokens_used = d.pop("tokensUsed")

        def _parse_session_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        session_id = _parse_session_id(d.pop("sessionId", UNSET))


        legacy_chat_metadata = cls(
            confidence=confidence,
            interaction_id=interaction_id,
            latency=latency,
            outcome=outcome,
            strategy=strategy,
            tokens_used=tokens_used,
            session_id=session_id,
        )


        legacy_chat_metadata.additional_properties = d
        return legacy_chat_metadata

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
