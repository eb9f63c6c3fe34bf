from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_role import LegacyRole






T = TypeVar("T", bound="LegacyCreateUser")



@_attrs_define
class LegacyCreateUser:
    """ 
        Attributes:
            email (str):
            name (str):
            role (LegacyRole): What a user may do, from least to most (see docs/API.md).
     """

    email: str
    name: str
    role: LegacyRole





    def to_dict(self) -> dict[str, Any]:
        email = self.email

        name = self.name

        role = self.role.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "email": email,
            "name": name,
            "role": role,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        name = d.pop("name")

        role = LegacyRole(d.pop("role"))




        legacy_create_user = cls(
            email=email,
            name=name,
            role=role,
        )

        return legacy_create_user

