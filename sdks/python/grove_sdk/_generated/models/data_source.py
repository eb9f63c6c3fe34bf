from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.source_kind import SourceKind
from ..models.source_status import SourceStatus
from ..models.sync_frequency import SyncFrequency
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.data_source_config import DataSourceConfig





T = TypeVar("T", bound="DataSource")



@_attrs_define
class DataSource:
    """ A data source: where documents come from, and how they are chunked.

        Attributes:
            chunk_overlap (int): Tokens shared by consecutive chunks of a section.
            chunk_size (int): Chunk size in tokens of the embedding model's tokenizer.
            config (DataSourceConfig): Type-specific settings (see docs/API.md); secrets are never echoed.
            created_at (datetime.datetime):
            id (str):
            name (str):
            org_id (str):
            status (SourceStatus): A data source's state: `pending` until its first sync, `processing`
                while one runs, then `active` or `failed`.
            sync_frequency (SyncFrequency): How often the scheduler syncs a data source.
            type_ (SourceKind): Where a data source's documents come from.
            updated_at (datetime.datetime):
            last_synced_at (datetime.datetime | None | Unset):
     """

    chunk_overlap: int
    chunk_size: int
    config: DataSourceConfig
    created_at: datetime.datetime
    id: str
    name: str
    org_id: str
    status: SourceStatus
    sync_frequency: SyncFrequency
    type_: SourceKind
    updated_at: datetime.datetime
    last_synced_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.data_source_config import DataSourceConfig # noqa: PLC0415
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
            "chunk_overlap": chunk_overlap,
            "chunk_size": chunk_size,
            "config": config,
            "created_at": created_at,
            "id": id,
            "name": name,
            "org_id": org_id,
            "status": status,
            "sync_frequency": sync_frequency,
            "type": type_,
            "updated_at": updated_at,
        })
        if last_synced_at is not UNSET:
            field_dict["last_synced_at"] = last_synced_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_source_config import DataSourceConfig # noqa: PLC0415
        d = dict(src_dict)
        chunk_overlap = d.pop("chunk_overlap")

        chunk_size = d.pop("chunk_size")

        config = DataSourceConfig.from_dict(d.pop("config"))




        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        id = d.pop("id")

        name = d.pop("name")

        org_id = d.pop("org_id")

        status = SourceStatus(d.pop("status"))




        sync_frequency = SyncFrequency(d.pop("sync_frequency"))




        type_ = SourceKind(d.pop("type"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




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

        last_synced_at = _parse_last_synced_at(d.pop("last_synced_at", UNSET))


        data_source = cls(
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


        data_source.additional_properties = d
        return data_source

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
