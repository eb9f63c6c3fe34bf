from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_role import LegacyRole
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="LegacyUpdateUser")



@_attrs_define
class LegacyUpdateUser:
    """ 
        Attributes:
            email (None | str | Unset):
            name (None | str | Unset):
            role (LegacyRole | None | Unset):
     """

    email: None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    role: LegacyRole | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        role: None | str | Unset
        if isinstance(self.role, Unset):
            role = UNSET
        elif isinstance(self.role, LegacyRole):
            role = self.role.value
        else:
            role = self.role


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if email is not UNSET:
            field_dict["email"] = email
        if name is not UNSET:
            field_dict["name"] = name
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))


        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        def _parse_role(data: object) -> LegacyRole | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                role_type_1 = LegacyRole(data)



                return role_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacyRole | None | Unset, data)

        role = _parse_role(d.pop("role", UNSET))


        legacy_update_user = cls(
            email=email,
            name=name,
            role=role,
        )

        return legacy_update_user

