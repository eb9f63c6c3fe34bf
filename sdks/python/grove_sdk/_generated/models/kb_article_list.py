from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.kb_article import KbArticle





T = TypeVar("T", bound="KbArticleList")



@_attrs_define
class KbArticleList:
    """ 
        Attributes:
            articles (list[KbArticle]):
            limit (int):
            offset (int):
            total (int):
     """

    articles: list[KbArticle]
    limit: int
    offset: int
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.kb_article import KbArticle # noqa: PLC0415
        articles = []
        for articles_item_data in self.articles:
            articles_item = articles_item_data.to_dict()
            articles.append(articles_item)



        limit = self.limit

        offset = self.offset

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "articles": articles,
            "limit": limit,
            "offset": offset,
            "total": total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.kb_article import KbArticle # noqa: PLC0415
        d = dict(src_dict)
        articles = []
        _articles = d.pop("articles")
        for articles_item_data in (_articles):
            articles_item = KbArticle.from_dict(articles_item_data)



            articles.append(articles_item)


        limit = d.pop("limit")

        offset = d.pop("offset")

        total = d.pop("total")

        kb_article_list = cls(
            articles=articles,
            limit=limit,
            offset=offset,
            total=total,
        )


        kb_article_list.additional_properties = d
        return kb_article_list

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
