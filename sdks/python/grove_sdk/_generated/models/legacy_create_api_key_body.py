from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_create_api_key_body_permissions_item import LegacyCreateApiKeyBodyPermissionsItem
from ..models.legacy_key_environment import LegacyKeyEnvironment
from ..models.legacy_scope import LegacyScope
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="LegacyCreateApiKeyBody")



@_attrs_define
class LegacyCreateApiKeyBody:
    """ 
        Attributes:
            name (str):
            environment (LegacyKeyEnvironment | None | Unset):
            expires_at (datetime.datetime | None | Unset): RFC 3339 time after which the key stops working.
            permissions (list[LegacyCreateApiKeyBodyPermissionsItem] | Unset): Fine permissions, such as
                `agent_jobs_trigger`.
            scopes (list[LegacyScope] | Unset): Any of `read`, `write`, `execute`, `admin`.
            user_id (None | str | Unset): The user the key acts for.
     """

    name: str
    environment: LegacyKeyEnvironment | None | Unset = UNSET
    expires_at: datetime.datetime | None | Unset = UNSET
    permissions: list[LegacyCreateApiKeyBodyPermissionsItem] | Unset = UNSET
    scopes: list[LegacyScope] | Unset = UNSET
    user_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        environment: None | str | Unset
        if isinstance(self.environment, Unset):
            environment = UNSET
        elif isinstance(self.environment, LegacyKeyEnvironment):
            environment = self.environment.value
        else:
            environment = self.environment

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        permissions: list[str] | Unset = UNSET
        if not isinstance(self.permissions, Unset):
            permissions = []
            for permissions_item_data in self.permissions:
                permissions_item = permissions_item_data.value
                permissions.append(permissions_item)



        scopes: list[str] | Unset = UNSET
        if not isinstance(self.scopes, Unset):
            scopes = []
            for scopes_item_data in self.scopes:
                scopes_item = scopes_item_data.value
                scopes.append(scopes_item)



        user_id: None | str | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "name": name,
        })
        if environment is not UNSET:
            field_dict["environment"] = environment
        if expires_at is not UNSET:
            field_dict["expiresAt"] = expires_at
        if permissions is not UNSET:
            field_dict["permissions"] = permissions
        if scopes is not UNSET:
            field_dict["scopes"] = scopes
        if user_id is not UNSET:
            field_dict["userId"] = user_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_environment(data: object) -> LegacyKeyEnvironment | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                environment_type_1 = LegacyKeyEnvironment(data)



                return environment_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacyKeyEnvironment | None | Unset, data)

        environment = _parse_environment(d.pop("environment", UNSET))


        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)



                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expiresAt", UNSET))


        _permissions = d.pop("permissions", UNSET)
        permissions: list[LegacyCreateApiKeyBodyPermissionsItem] | Unset = UNSET
        if _permissions is not UNSET:
            permissions = []
            for permissions_item_data in _permissions:
                permissions_item = LegacyCreateApiKeyBodyPermissionsItem(permissions_item_data)



                permissions.append(permissions_item)


        _scopes = d.pop("scopes", UNSET)
        scopes: list[LegacyScope] | Unset = UNSET
        if _scopes is not UNSET:
            scopes = []
            for scopes_item_data in _scopes:
                scopes_item = LegacyScope(scopes_item_data)



                scopes.append(scopes_item)


        def _parse_user_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_id = _parse_user_id(d.pop("userId", UNSET))


        legacy_create_api_key_body = cls(
            name=name,
            environment=environment,
            expires_at=expires_at,
            permissions=permissions,
            scopes=scopes,
            user_id=user_id,
        )


        legacy_create_api_key_body.additional_properties = d
        return legacy_create_api_key_body

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
