from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.url_citation import UrlCitation





T = TypeVar("T", bound="Annotation")



@_attrs_define
class Annotation:
    """ 
        Attributes:
            type_ (str): `url_citation`.
            url_citation (UrlCitation): Where in the content a source is cited (character indexes, end
                exclusive).
     """

    type_: str
    url_citation: UrlCitation
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.url_citation import UrlCitation # noqa: PLC0415
        type_ = self.type_

        url_citation = self.url_citation.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "type": type_,
            "url_citation": url_citation,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.url_citation import UrlCitation # noqa: PLC0415
        d = dict(src_dict)
        type_ = d.pop("type")

        url_citation = UrlCitation.from_dict(d.pop("url_citation"))




        annotation = cls(
            type_=type_,
            url_citation=url_citation,
        )


        annotation.additional_properties = d
        return annotation

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
