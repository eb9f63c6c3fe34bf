from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_role import LegacyRole
from typing import cast
import datetime






T = TypeVar("T", bound="LegacyUser")



@_attrs_define
class LegacyUser:
    """ 
        Attributes:
            created_at (datetime.datetime):
            email (str):
            id (str):
            name (str):
            org_id (str):
            role (LegacyRole): What a user may do, from least to most (see docs/API.md).
            updated_at (datetime.datetime):
     """

    created_at: datetime.datetime
    email: str
    id: str
    name: str
    org_id: str
    role: LegacyRole
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        email = self.email

        id = self.id

        name = self.name

        org_id = self.org_id

        role = self.role.value

        updated_at = self.updated_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "createdAt": created_at,
            "email": email,
            "id": id,
            "name": name,
            "orgId": org_id,
            "role": role,
            "updatedAt": updated_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        email = d.pop("email")

        id = d.pop("id")

        name = d.pop("name")

        org_id = d.pop("orgId")

        role = LegacyRole(d.pop("role"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))




        legacy_user = cls(
            created_at=created_at,
            email=email,
            id=id,
            name=name,
            org_id=org_id,
            role=role,
            updated_at=updated_at,
        )


        legacy_user.additional_properties = d
        return legacy_user

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
