from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="SearchMetadata")



@_attrs_define
class SearchMetadata:
    """ 
        Attributes:
            calibration (str): How `similarity_score` relates to the cosine: `fitted` (a
                calibration fitted for this embedder), `default` (a documented
                default for its family, not fitted to it) or `uncalibrated` (the raw
                cosine, or BM25 without a model).
            latency_ms (float):
            mode (str):
            total_chunks_searched (int):
            embedder (None | str | Unset): The embedder that produced `query_embedding`, if any.
            note (None | str | Unset): Set when the search ran in a reduced mode, saying why.
     """

    calibration: str
    latency_ms: float
    mode: str
    total_chunks_searched: int
    embedder: None | str | Unset = UNSET
    note: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        calibration = self.calibration

        latency_ms = self.latency_ms

        mode = self.mode

        total_chunks_searched = self.total_chunks_searched

        embedder: None | str | Unset
        if isinstance(self.embedder, Unset):
            embedder = UNSET
        else:
            embedder = self.embedder

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "calibration": calibration,
            "latency_ms": latency_ms,
            "mode": mode,
            "total_chunks_searched": total_chunks_searched,
        })
        if embedder is not UNSET:
            field_dict["embedder"] = embedder
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        calibration = d.pop("calibration")

        latency_ms = d.pop("latency_ms")

        mode = d.pop("mode")

        total_chunks_searched = d.pop("total_chunks_searched")

        def _parse_embedder(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        embedder = _parse_embedder(d.pop("embedder", UNSET))


        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))


        search_metadata = cls(
            calibration=calibration,
            latency_ms=latency_ms,
            mode=mode,
            total_chunks_searched=total_chunks_searched,
            embedder=embedder,
            note=note,
        )


        search_metadata.additional_properties = d
        return search_metadata

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
