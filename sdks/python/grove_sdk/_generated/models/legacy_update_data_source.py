from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_sync_frequency import LegacySyncFrequency
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.legacy_update_data_source_config_type_0 import LegacyUpdateDataSourceConfigType0





T = TypeVar("T", bound="LegacyUpdateDataSource")



@_attrs_define
class LegacyUpdateDataSource:
    """ 
        Attributes:
            chunk_overlap (int | None | Unset):
            chunk_size (int | None | Unset):
            config (LegacyUpdateDataSourceConfigType0 | None | Unset):
            name (None | str | Unset):
            sync_frequency (LegacySyncFrequency | None | Unset):
     """

    chunk_overlap: int | None | Unset = UNSET
    chunk_size: int | None | Unset = UNSET
    config: LegacyUpdateDataSourceConfigType0 | None | Unset = UNSET
    name: None | str | Unset = UNSET
    sync_frequency: LegacySyncFrequency | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_update_data_source_config_type_0 import LegacyUpdateDataSourceConfigType0 # noqa: PLC0415
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

        config: dict[str, Any] | None | Unset
        if isinstance(self.config, Unset):
            config = UNSET
        elif isinstance(self.config, LegacyUpdateDataSourceConfigType0):
            config = self.config.to_dict()
        else:
            config = self.config

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        sync_frequency: None | str | Unset
        if isinstance(self.sync_frequency, Unset):
            sync_frequency = UNSET
        elif isinstance(self.sync_frequency, LegacySyncFrequency):
            sync_frequency = self.sync_frequency.value
        else:
            sync_frequency = self.sync_frequency


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if chunk_overlap is not UNSET:
            field_dict["chunkOverlap"] = chunk_overlap
        if chunk_size is not UNSET:
            field_dict["chunkSize"] = chunk_size
        if config is not UNSET:
            field_dict["config"] = config
        if name is not UNSET:
            field_dict["name"] = name
        if sync_frequency is not UNSET:
            field_dict["syncFrequency"] = sync_frequency

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_update_data_source_config_type_0 import LegacyUpdateDataSourceConfigType0 # noqa: PLC0415
        d = dict(src_dict)
        def _parse_chunk_overlap(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        chunk_overlap = _parse_chunk_overlap(d.pop("chunkOverlap", UNSET))


        def _parse_chunk_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        chunk_size = _parse_chunk_size(d.pop("chunkSize", UNSET))


        def _parse_config(data: object) -> LegacyUpdateDataSourceConfigType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                config_type_0 = LegacyUpdateDataSourceConfigType0.from_dict(data)



                return config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacyUpdateDataSourceConfigType0 | None | Unset, data)

        config = _parse_config(d.pop("config", UNSET))


        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        def _parse_sync_frequency(data: object) -> LegacySyncFrequency | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sync_frequency_type_1 = LegacySyncFrequency(data)



                return sync_frequency_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacySyncFrequency | None | Unset, data)

        sync_frequency = _parse_sync_frequency(d.pop("syncFrequency", UNSET))


        legacy_update_data_source = cls(
            chunk_overlap=chunk_overlap,
            chunk_size=chunk_size,
            config=config,
            name=name,
            sync_frequency=sync_frequency,
        )

        return legacy_update_data_source

