from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="OrgSettingsBody")



@_attrs_define
class OrgSettingsBody:
    """ The settings as replaced by `PUT`.

        Attributes:
            default_model (str): `extractive` or `<provider>:<model>` (a provider of the server's
                config).
     """

    default_model: str





    def to_dict(self) -> dict[str, Any]:
        default_model = self.default_model


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "default_model": default_model,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        default_model = d.pop("default_model")

        org_settings_body = cls(
            default_model=default_model,
        )

        return org_settings_body

