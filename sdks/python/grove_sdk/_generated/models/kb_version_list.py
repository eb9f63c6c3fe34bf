from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.kb_article_version import KbArticleVersion





T = TypeVar("T", bound="KbVersionList")



@_attrs_define
class KbVersionList:
    """ 
        Attributes:
            limit (int):
            offset (int):
            total (int):
            versions (list[KbArticleVersion]):
     """

    limit: int
    offset: int
    total: int
    versions: list[KbArticleVersion]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.kb_article_version import KbArticleVersion # noqa: PLC0415
        limit = self.limit

        offset = self.offset

        total = self.total

        versions = []
        for versions_item_data in self.versions:
            versions_item = versions_item_data.to_dict()
            versions.append(versions_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "limit": limit,
            "offset": offset,
            "total": total,
            "versions": versions,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.kb_article_version import KbArticleVersion # noqa: PLC0415
        d = dict(src_dict)
        limit = d.pop("limit")

        offset = d.pop("offset")

        total = d.pop("total")

        versions = []
        _versions = d.pop("versions")
        for versions_item_data in (_versions):
            versions_item = KbArticleVersion.from_dict(versions_item_data)



            versions.append(versions_item)


        kb_version_list = cls(
            limit=limit,
            offset=offset,
            total=total,
            versions=versions,
        )


        kb_version_list.additional_properties = d
        return kb_version_list

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
