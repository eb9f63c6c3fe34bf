from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.article_status import ArticleStatus
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="KbArticleVersion")



@_attrs_define
class KbArticleVersion:
    """ One version of a knowledge-base article: what it was after a create,
    an update or a restore, and who wrote it.

        Attributes:
            article_id (str):
            content (str):
            created_at (datetime.datetime):
            status (ArticleStatus): Whether a knowledge-base article is visible (and indexed).
            tags (list[str]):
            title (str):
            version (int): 1, 2, … per article.
            key_id (None | str | Unset):
            restored_from (int | None | Unset): For a restore: the version restored.
            user_id (None | str | Unset):
     """

    article_id: str
    content: str
    created_at: datetime.datetime
    status: ArticleStatus
    tags: list[str]
    title: str
    version: int
    key_id: None | str | Unset = UNSET
    restored_from: int | None | Unset = UNSET
    user_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        article_id = self.article_id

        content = self.content

        created_at = self.created_at.isoformat()

        status = self.status.value

        tags = self.tags



        title = self.title

        version = self.version

        key_id: None | str | Unset
        if isinstance(self.key_id, Unset):
            key_id = UNSET
        else:
            key_id = self.key_id

        restored_from: int | None | Unset
        if isinstance(self.restored_from, Unset):
            restored_from = UNSET
        else:
            restored_from = self.restored_from

        user_id: None | str | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "article_id": article_id,
            "content": content,
            "created_at": created_at,
            "status": status,
            "tags": tags,
            "title": title,
            "version": version,
        })
        if key_id is not UNSET:
            field_dict["key_id"] = key_id
        if restored_from is not UNSET:
            field_dict["restored_from"] = restored_from
        if user_id is not UNSET:
            field_dict["user_id"] = user_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        article_id = d.pop("article_id")

        content = d.pop("content")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        status = ArticleStatus(d.pop("status"))




        tags = cast(list[str], d.pop("tags"))


        title = d.pop("title")

        version = d.pop("version")

        def _parse_key_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        key_id = _parse_key_id(d.pop("key_id", UNSET))


        def _parse_restored_from(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        restored_from = _parse_restored_from(d.pop("restored_from", UNSET))


        def _parse_user_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))


        kb_article_version = cls(
            article_id=article_id,
            content=content,
            created_at=created_at,
            status=status,
            tags=tags,
            title=title,
            version=version,
            key_id=key_id,
            restored_from=restored_from,
            user_id=user_id,
        )


        kb_article_version.additional_properties = d
        return kb_article_version

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
