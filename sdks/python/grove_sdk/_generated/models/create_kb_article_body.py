from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.article_status import ArticleStatus
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="CreateKbArticleBody")



@_attrs_define
class CreateKbArticleBody:
    """ An article as created or updated. On create, `title` and `content` are
    required, `tags` default to none and `status` to `draft`; on update
    every field is optional and the given ones replace the stored ones.

        Attributes:
            content (str): Markdown, 1 to 100,000 characters.
            title (str): 1 to 300 characters.
            status (ArticleStatus | None | Unset):
            tags (list[str] | None | Unset): At most 20 tags of 1 to 50 characters; repeats are dropped.
     """

    content: str
    title: str
    status: ArticleStatus | None | Unset = UNSET
    tags: list[str] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        content = self.content

        title = self.title

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, ArticleStatus):
            status = self.status.value
        else:
            status = self.status

        tags: list[str] | None | Unset
        if isinstance(self.tags, Unset):
            tags = UNSET
        elif isinstance(self.tags, list):
            tags = self.tags


        else:
            tags = self.tags


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "content": content,
            "title": title,
        })
        if status is not UNSET:
            field_dict["status"] = status
        if tags is not UNSET:
            field_dict["tags"] = tags

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        content = d.pop("content")

        title = d.pop("title")

        def _parse_status(data: object) -> ArticleStatus | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_1 = ArticleStatus(data)



                return status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ArticleStatus | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))


        def _parse_tags(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tags_type_0 = cast(list[str], data)

                return tags_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        tags = _parse_tags(d.pop("tags", UNSET))


        create_kb_article_body = cls(
            content=content,
            title=title,
            status=status,
            tags=tags,
        )

        return create_kb_article_body

