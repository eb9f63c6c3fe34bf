from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_source_kind import LegacySourceKind
from ..models.legacy_source_status import LegacySourceStatus
from ..models.legacy_sync_frequency import LegacySyncFrequency
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.legacy_data_source_config import LegacyDataSourceConfig





T = TypeVar("T", bound="LegacyDataSource")



@_attrs_define
class LegacyDataSource:
    """ A data source: where documents come from, and how they are chunked.

        Attributes:
            chunk_overlap (int): Tokens shared by consecutive chunks of a section.
            chunk_size (int): Chunk size in tokens of the embedding model's tokenizer.
            config (LegacyDataSourceConfig): Type-specific settings (see docs/API.md); secrets are never echoed.
            created_at (datetime.datetime):
            id (str):
            name (str):
            org_id (str):
            status (LegacySourceStatus): A data source's state: `pending` until its first sync, `processing`
                while one runs, then `active` or `failed`.
            sync_frequency (LegacySyncFrequency): How often the scheduler syncs a data source.
            type_ (LegacySourceKind): Where a data source's documents come from.
            updated_at (datetime.datetime):
            last_synced_at (datetime.datetime | None | Unset):
     """

    chunk_overlap: int
    chunk_size: int
    config: LegacyDataSourceConfig
    created_at: datetime.datetime
    id: str
    name: str
    org_id: str
    status: LegacySourceStatus
    sync_frequency: LegacySyncFrequency
    type_: LegacySourceKind
    updated_at: datetime.datetime
    last_synced_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_data_source_config import LegacyDataSourceConfig # noqa: PLC0415
        chunk_overlap = self.chunk_overlap

        chunk_size = self.chunk_size

        config = self.config.to_dict()

        created_at = self.created_at.isoformat()

        id = self.id

        name = self.name

        org_id = self.org_id

        status = self.status.value

        sync_frequency = self.sync_frequency.value

        type_ = self.type_.value

        updated_at = self.updated_at.isoformat()

        last_synced_at: None | str | Unset
        if isinstance(self.last_synced_at, Unset):
            last_synced_at = UNSET
        elif isinstance(self.last_synced_at, datetime.datetime):
            last_synced_at = self.last_synced_at.isoformat()
        else:
            last_synced_at = self.last_synced_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chunkOverlap": chunk_overlap,
            "chunkSize": chunk_size,
            "config": config,
            "createdAt": created_at,
            "id": id,
            "name": name,
            "orgId": org_id,
            "status": status,
            "syncFrequency": sync_frequency,
            "type": type_,
            "updatedAt": updated_at,
        })
        if last_synced_at is not UNSET:
            field_dict["lastSyncedAt"] = last_synced_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_data_source_config import LegacyDataSourceConfig # noqa: PLC0415
        d = dict(src_dict)
        chunk_overlap = d.pop("chunkOverlap")

        chunk_size = d.pop("chunkSize")

        config = LegacyDataSourceConfig.from_dict(d.pop("config"))




        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        id = d.pop("id")

        name = d.pop("name")

        org_id = d.pop("orgId")

        status = LegacySourceStatus(d.pop("status"))




        sync_frequency = LegacySyncFrequency(d.pop("syncFrequency"))




        type_ = LegacySourceKind(d.pop("type"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))




        def _parse_last_synced_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_synced_at_type_0 = datetime.datetime.fromisoformat(data)



                return last_synced_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_synced_at = _parse_last_synced_at(d.pop("lastSyncedAt", UNSET))


        legacy_data_source = cls(
            chunk_overlap=chunk_overlap,
            chunk_size=chunk_size,
            config=config,
            created_at=created_at,
            id=id,
            name=name,
            org_id=org_id,
            status=status,
            sync_frequency=sync_frequency,
            type_=type_,
            updated_at=updated_at,
            last_synced_at=last_synced_at,
        )


        legacy_data_source.additional_properties = d
        return legacy_data_source

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
