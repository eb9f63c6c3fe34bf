from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_source_status import LegacySourceStatus
from ..models.legacy_sync_status import LegacySyncStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.legacy_document_error import LegacyDocumentError





T = TypeVar("T", bound="LegacySyncStatusView")



@_attrs_define
class LegacySyncStatusView:
    """ 
        Attributes:
            chunks_indexed (int): Chunks of this data source in the index now.
            data_source_id (str):
            documents_done (int):
            documents_failed (int):
            documents_total (int):
            errors (list[LegacyDocumentError]):
            progress_pct (int):
            status (LegacySourceStatus): A data source's state: `pending` until its first sync, `processing`
                while one runs, then `active` or `failed`.
            error (None | str | Unset):
            estimated_completion (datetime.datetime | None | Unset): From the sync's measured documents per second; null
                when unknown.
            last_synced_at (datetime.datetime | None | Unset):
            sync_id (None | str | Unset):
            sync_status (LegacySyncStatus | None | Unset):
     """

    chunks_indexed: int
    data_source_id: str
    documents_done: int
    documents_failed: int
    documents_total: int
    errors: list[LegacyDocumentError]
    progress_pct: int
    status: LegacySourceStatus
    error: None | str | Unset = UNSET
    estimated_completion: datetime.datetime | None | Unset = UNSET
    last_synced_at: datetime.datetime | None | Unset = UNSET
    sync_id: None | str | Unset = UNSET
    sync_status: LegacySyncStatus | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_document_error import LegacyDocumentError # noqa: PLC0415
        chunks_indexed = self.chunks_indexed

        data_source_id = self.data_source_id

        documents_done = self.documents_done

        documents_failed = self.documents_failed

        documents_total = self.documents_total

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)



        progress_pct = self.progress_pct

        status = self.status.value

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        estimated_completion: None | str | Unset
        if isinstance(self.estimated_completion, Unset):
            estimated_completion = UNSET
        elif isinstance(self.estimated_completion, datetime.datetime):
            estimated_completion = self.estimated_completion.isoformat()
        else:
            estimated_completion = self.estimated_completion

        last_synced_at: None | str | Unset
        if isinstance(self.last_synced_at, Unset):
            last_synced_at = UNSET
        elif isinstance(self.last_synced_at, datetime.datetime):
            last_synced_at = self.last_synced_at.isoformat()
        else:
            last_synced_at = self.last_synced_at

        sync_id: None | str | Unset
        if isinstance(self.sync_id, Unset):
            sync_id = UNSET
        else:
            sync_id = self.sync_id

        sync_status: None | str | Unset
        if isinstance(self.sync_status, Unset):
            sync_status = UNSET
        elif isinstance(self.sync_status, LegacySyncStatus):
            sync_status = self.sync_status.value
        else:
            sync_status = self.sync_status


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chunksIndexed": chunks_indexed,
            "dataSourceId": data_source_id,
            "documentsDone": documents_done,
            "documentsFailed": documents_failed,
            "documentsTotal": documents_total,
            "errors": errors,
            "progressPct": progress_pct,
            "status": status,
        })
        if error is not UNSET:
            field_dict["error"] = error
        if estimated_completion is not UNSET:
            field_dict["estimatedCompletion"] = estimated_completion
        if last_synced_at is not UNSET:
            field_dict["lastSyncedAt"] = last_synced_at
        if sync_id is not UNSET:
            field_dict["syncId"] = sync_id
        if sync_status is not UNSET:
            field_dict["syncStatus"] = sync_status

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_document_error import LegacyDocumentError # noqa: PLC0415
        d = dict(src_dict)
        chunks_indexed = d.pop("chunksIndexed")

        data_source_id = d.pop("dataSourceId")

        documents_done = d.pop("documentsDone")

        documents_failed = d.pop("documentsFailed")

        documents_total = d.pop("documentsTotal")

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in (_errors):
            errors_item = LegacyDocumentError.from_dict(errors_item_data)



            errors.append(errors_item)


        progress_pct = d.pop("progressPct")

        status = LegacySourceStatus(d.pop("status"))




        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_estimated_completion(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                estimated_completion_type_0 = datetime.datetime.fromisoformat(data)



                return estimated_completion_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        estimated_completion = _parse_estimated_completion(d.pop("estimatedCompletion", UNSET))


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


        def _parse_sync_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sync_id = _parse_sync_id(d.pop("syncId", UNSET))


        def _parse_sync_status(data: object) -> LegacySyncStatus | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sync_status_type_1 = LegacySyncStatus(data)



                return sync_status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacySyncStatus | None | Unset, data)

        sync_status = _parse_sync_status(d.pop("syncStatus", UNSET))


        legacy_sync_status_view = cls(
            chunks_indexed=chunks_indexed,
            data_source_id=data_source_id,
            documents_done=documents_done,
            documents_failed=documents_failed,
            documents_total=documents_total,
            errors=errors,
            progress_pct=progress_pct,
            status=status,
            error=error,
            estimated_completion=estimated_completion,
            last_synced_at=last_synced_at,
            sync_id=sync_id,
            sync_status=sync_status,
        )


        legacy_sync_status_view.additional_properties = d
        return legacy_sync_status_view

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
