from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="RetrievalTrace")



@_attrs_define
class RetrievalTrace:
    """ How retrieval went: the queries run and how long each step took.

        Attributes:
            candidates (int): Chunks retrieved before the threshold and the final cut.
            queries (list[str]): The question as searched: rewritten (cedar) or expanded (cypress).
            rerank_ms (float):
            rewrite_ms (float):
            search_ms (float):
     """

    candidates: int
    queries: list[str]
    rerank_ms: float
    rewrite_ms: float
    search_ms: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        candidates = self.candidates

        queries = self.queries



        rerank_ms = self.rerank_ms

        rewrite_ms = self.rewrite_ms

        search_ms = self.search_ms


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "candidates": candidates,
            "queries": queries,
            "rerank_ms": rerank_ms,
            "rewrite_ms": rewrite_ms,
            "search_ms": search_ms,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        candidates = d.pop("candidates")

        queries = cast(list[str], d.pop("queries"))


        rerank_ms = d.pop("rerank_ms")

        rewrite_ms = d.pop("rewrite_ms")

        search_ms = d.pop("search_ms")

        retrieval_trace = cls(
            candidates=candidates,
            queries=queries,
            rerank_ms=rerank_ms,
            rewrite_ms=rewrite_ms,
            search_ms=search_ms,
        )


        retrieval_trace.additional_properties = d
        return retrieval_trace

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
