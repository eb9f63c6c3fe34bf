from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.legacy_search_chunk import LegacySearchChunk
  from ..models.legacy_search_metadata import LegacySearchMetadata





T = TypeVar("T", bound="LegacySemanticSearchResults")



@_attrs_define
class LegacySemanticSearchResults:
    """ 
        Attributes:
            chunks (list[LegacySearchChunk]):
            metadata (LegacySearchMetadata):
            query_embedding (list[float] | None | Unset): Null when no embedding model is loaded.
     """

    chunks: list[LegacySearchChunk]
    metadata: LegacySearchMetadata
    query_embedding: list[float] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_search_chunk import LegacySearchChunk # noqa: PLC0415
        from ..models.legacy_search_metadata import LegacySearchMetadata # noqa: PLC0415
        chunks = []
        for chunks_item_data in self.chunks:
            chunks_item = chunks_item_data.to_dict()
            chunks.append(chunks_item)



        metadata = self.metadata.to_dict()

        query_embedding: list[float] | None | Unset
        if isinstance(self.query_embedding, Unset):
            query_embedding = UNSET
        elif isinstance(self.query_embedding, list):
            query_embedding = self.query_embedding


        else:
            query_embedding = self.query_embedding


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chunks": chunks,
            "metadata": metadata,
        })
        if query_embedding is not UNSET:
            field_dict["queryEmbedding"] = query_embedding

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_search_chunk import LegacySearchChunk # noqa: PLC0415
        from ..models.legacy_search_metadata import LegacySearchMetadata # noqa: PLC0415
        d = dict(src_dict)
        chunks = []
        _chunks = d.pop("chunks")
        for chunks_item_data in (_chunks):
            chunks_item = LegacySearchChunk.from_dict(chunks_item_data)



            chunks.append(chunks_item)


        metadata = LegacySearchMetadata.from_dict(d.pop("metadata"))




        def _parse_query_embedding(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                query_embedding_type_0 = cast(list[float], data)

                return query_embedding_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        query_embedding = _parse_query_embedding(d.pop("queryEmbedding", UNSET))


        legacy_semantic_search_results = cls(
            chunks=chunks,
            metadata=metadata,
            query_embedding=query_embedding,
        )


        legacy_semantic_search_results.additional_properties = d
        return legacy_semantic_search_results

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
