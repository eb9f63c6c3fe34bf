from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.skipped_file import SkippedFile
  from ..models.stored_file import StoredFile





T = TypeVar("T", bound="UploadReport")



@_attrs_define
class UploadReport:
    """ What an upload stored and the sync that will index it.

        Attributes:
            files (list[StoredFile]):
            skipped (list[SkippedFile]): Archive entries not stored (unsupported types).
            follows_sync_id (None | str | Unset):
            sync_id (None | str | Unset):
     """

    files: list[StoredFile]
    skipped: list[SkippedFile]
    follows_sync_id: None | str | Unset = UNSET
    sync_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.skipped_file import SkippedFile # noqa: PLC0415
        from ..models.stored_file import StoredFile # noqa: PLC0415
        files = []
        for files_item_data in self.files:
            files_item = files_item_data.to_dict()
            files.append(files_item)



        skipped = []
        for skipped_item_data in self.skipped:
            skipped_item = skipped_item_data.to_dict()
            skipped.append(skipped_item)



        follows_sync_id: None | str | Unset
        if isinstance(self.follows_sync_id, Unset):
            follows_sync_id = UNSET
        else:
            follows_sync_id = self.follows_sync_id

        sync_id: None | str | Unset
        if isinstance(self.sync_id, Unset):
            sync_id = UNSET
        else:
            sync_id = self.sync_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "files": files,
            "skipped": skipped,
        })
        if follows_sync_id is not UNSET:
            field_dict["follows_sync_id"] = follows_sync_id
        if sync_id is not UNSET:
            field_dict["sync_id"] = sync_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.skipped_file import SkippedFile # noqa: PLC0415
        from ..models.stored_file import StoredFile # noqa: PLC0415
        d = dict(src_dict)
        files = []
        _files = d.pop("files")
        for files_item_data in (_files):
            files_item = StoredFile.from_dict(files_item_data)



            files.append(files_item)


        skipped = []
        _skipped = d.pop("skipped")
        for skipped_item_data in (_skipped):
            skipped_item = SkippedFile.from_dict(skipped_item_data)



            skipped.append(skipped_item)


        def _parse_follows_sync_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        follows_sync_id = _parse_follows_sync_id(d.pop("follows_sync_id", UNSET))


        def _parse_sync_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sync_id = _parse_sync_id(d.pop("sync_id", UNSET))


        upload_report = cls(
            files=files,
            skipped=skipped,
            follows_sync_id=follows_sync_id,
            sync_id=sync_id,
        )


        upload_report.additional_properties = d
        return upload_report

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
