from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_search_mode import LegacySearchMode
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="LegacySemanticSearch")



@_attrs_define
class LegacySemanticSearch:
    """ 
        Attributes:
            org_id (str): Must be the organisation of the API key.
            query (str):
            data_source_ids (list[str] | None | Unset):
            mode (LegacySearchMode | None | Unset):
            similarity_threshold (float | None | Unset): 0 to 1, default 0: hits below it are dropped. With an embedding
                model it applies to `similarity_score`, the calibrated relevance of
                each hit in every mode (hybrid ranks by fusion but reports and
                thresholds by relevance); without a model, to BM25 relative to the
                best hit.
            top_k (int | None | Unset): 1 to 100, default 10.
     """

    org_id: str
    query: str
    data_source_ids: list[str] | None | Unset = UNSET
    mode: LegacySearchMode | None | Unset = UNSET
    similarity_threshold: float | None | Unset = UNSET
    top_k: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        query = self.query

        data_source_ids: list[str] | None | Unset
        if isinstance(self.data_source_ids, Unset):
            data_source_ids = UNSET
        elif isinstance(self.data_source_ids, list):
            data_source_ids = self.data_source_ids


        else:
            data_source_ids = self.data_source_ids

        mode: None | str | Unset
        if isinstance(self.mode, Unset):
            mode = UNSET
        elif isinstance(self.mode, LegacySearchMode):
            mode = self.mode.value
        else:
            mode = self.mode

        similarity_threshold: float | None | Unset
        if isinstance(self.similarity_threshold, Unset):
            similarity_threshold = UNSET
        else:
            similarity_threshold = self.similarity_threshold

        top_k: int | None | Unset
        if isinstance(self.top_k, Unset):
            top_k = UNSET
        else:
            top_k = self.top_k


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "orgId": org_id,
            "query": query,
        })
        if data_source_ids is not UNSET:
            field_dict["dataSourceIds"] = data_source_ids
        if mode is not UNSET:
            field_dict["mode"] = mode
        if similarity_threshold is not UNSET:
            field_dict["similarityThreshold"] = similarity_threshold
        if top_k is not UNSET:
            field_dict["topK"] = top_k

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org_id = d.pop("orgId")

        query = d.pop("query")

        def _parse_data_source_ids(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                data_source_ids_type_0 = cast(list[str], data)

                return data_source_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        data_source_ids = _parse_data_source_ids(d.pop("dataSourceIds", UNSET))


        def _parse_mode(data: object) -> LegacySearchMode | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mode_type_1 = LegacySearchMode(data)



                return mode_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacySearchMode | None | Unset, data)

        mode = _parse_mode(d.pop("mode", UNSET))


        def _parse_similarity_threshold(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        similarity_threshold = _parse_similarity_threshold(d.pop("similarityThreshold", UNSET))


        def _parse_top_k(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        top_k = _parse_top_k(d.pop("topK", UNSET))


        legacy_semantic_search = cls(
            org_id=org_id,
            query=query,
            data_source_ids=data_source_ids,
            mode=mode,
            similarity_threshold=similarity_threshold,
            top_k=top_k,
        )

        return legacy_semantic_search

