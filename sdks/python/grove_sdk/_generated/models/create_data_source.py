from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.source_kind import SourceKind
from ..models.sync_frequency import SyncFrequency
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.create_data_source_config import CreateDataSourceConfig





T = TypeVar("T", bound="CreateDataSource")



@_attrs_define
class CreateDataSource:
    """ 
        Attributes:
            config (CreateDataSourceConfig): Type-specific settings; for `website`: `url` (required), `max_pages`
                (default 1000, max 10000), `path_prefix`, `include_patterns`,
                `exclude_patterns` (URL globs with `*`).
            name (str):
            type_ (SourceKind): Where a data source's documents come from.
            chunk_overlap (int | None | Unset):
            chunk_size (int | None | Unset): Tokens per chunk (default 512) and overlap (default 50).
            sync_frequency (None | SyncFrequency | Unset):
     """

    config: CreateDataSourceConfig
    name: str
    type_: SourceKind
    chunk_overlap: int | None | Unset = UNSET
    chunk_size: int | None | Unset = UNSET
    sync_frequency: None | SyncFrequency | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.create_data_source_config import CreateDataSourceConfig # noqa: PLC0415
        config = self.config.to_dict()

        name = self.name

        type_ = self.type_.value

        chunk_overlap: int | None | Unset
        if isinstance(self.chunk_overlap, Unset):
            chunk_overlap = UNSET
        else:
            chunk_overlap = self.chunk_overlap

        chunk_size: int | None | Unset
        if isinstance(self.chunk_size, Unset):
            chunk_size = UNSET
        else:
            chunk_size = self.chunk_size

        sync_frequency: None | str | Unset
        if isinstance(self.sync_frequency, Unset):
            sync_frequency = UNSET
        elif isinstance(self.sync_frequency, SyncFrequency):
            sync_frequency = self.sync_frequency.value
        else:
            sync_frequency = self.sync_frequency


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "config": config,
            "name": name,
            "type": type_,
        })
        if chunk_overlap is not UNSET:
            field_dict["chunk_overlap"] = chunk_overlap
        if chunk_size is not UNSET:
            field_dict["chunk_size"] = chunk_size
        if sync_frequency is not UNSET:
            field_dict["sync_frequency"] = sync_frequency

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_data_source_config import CreateDataSourceConfig # noqa: PLC0415
        d = dict(src_dict)
        config = CreateDataSourceConfig.from_dict(d.pop("config"))




        name = d.pop("name")

        type_ = SourceKind(d.pop("type"))




        def _parse_chunk_overlap(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        chunk_overlap = _parse_chunk_overlap(d.pop("chunk_overlap", UNSET))


        def _parse_chunk_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        chunk_size = _parse_chunk_size(d.pop("chunk_size", UNSET))


        def _parse_sync_frequency(data: object) -> None | SyncFrequency | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sync_frequency_type_1 = SyncFrequency(data)



                return sync_frequency_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SyncFrequency | Unset, data)

        sync_frequency = _parse_sync_frequency(d.pop("sync_frequency", UNSET))


        create_data_source = cls(
            config=config,
            name=name,
            type_=type_,
            chunk_overlap=chunk_overlap,
            chunk_size=chunk_size,
            sync_frequency=sync_frequency,
        )

        return create_data_source

