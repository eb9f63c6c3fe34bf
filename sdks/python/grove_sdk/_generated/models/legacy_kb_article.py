from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_article_status import LegacyArticleStatus
from typing import cast
import datetime






T = TypeVar("T", bound="LegacyKbArticle")



@_attrs_define
class LegacyKbArticle:
    """ A knowledge-base article. Published ones are indexed by the
    organisation's `kb` data sources.

        Attributes:
            content (str): Markdown.
            created_at (datetime.datetime):
            id (str):
            status (LegacyArticleStatus): Whether a knowledge-base article is visible (and indexed).
            tags (list[str]):
            title (str):
            updated_at (datetime.datetime):
            version (int): The number of the latest version (1 when created).
     """

    content: str
    created_at: datetime.datetime
    id: str
    status: LegacyArticleStatus
    tags: list[str]
    title: str
    updated_at: datetime.datetime
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        content = self.content

        created_at = self.created_at.isoformat()

        id = self.id

        status = self.status.value

        tags = self.tags



        title = self.title

        updated_at = self.updated_at.isoformat()

        version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "content": content,
            "createdAt": created_at,
            "id": id,
            "status": status,
            "tags": tags,
            "title": title,
            "updatedAt": updated_at,
            "version": version,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        content = d.pop("content")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        id = d.pop("id")

        status = LegacyArticleStatus(d.pop("status"))




        tags = cast(list[str], d.pop("tags"))


        title = d.pop("title")

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))




        version = d.pop("version")

        legacy_kb_article = cls(
            content=content,
            created_at=created_at,
            id=id,
            status=status,
            tags=tags,
            title=title,
            updated_at=updated_at,
            version=version,
        )


        legacy_kb_article.additional_properties = d
        return legacy_kb_article

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
