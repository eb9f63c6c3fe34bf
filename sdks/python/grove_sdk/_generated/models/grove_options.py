from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="GroveOptions")



@_attrs_define
class GroveOptions:
    """ 
        Attributes:
            sources_footer (bool | None | Unset): A "Sources:" footer in the content (default true).
     """

    sources_footer: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        sources_footer: bool | None | Unset
        if isinstance(self.sources_footer, Unset):
            sources_footer = UNSET
        else:
            sources_footer = self.sources_footer


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if sources_footer is not UNSET:
            field_dict["sources_footer"] = sources_footer

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_sources_footer(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        sources_footer = _parse_sources_footer(d.pop("sources_footer", UNSET))


        grove_options = cls(
            sources_footer=sources_footer,
        )


        grove_options.additional_properties = d
        return grove_options

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
