from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_key_environment import LegacyKeyEnvironment
from ..models.legacy_scope import LegacyScope
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="LegacyCreateApiKey")



@_attrs_define
class LegacyCreateApiKey:
    """ 
        Attributes:
            name (str):
            environment (LegacyKeyEnvironment | None | Unset):
            expires_at (None | str | Unset): RFC 3339 time after which the key stops working.
            permissions (list[str] | Unset): Fine permissions, such as `agent_jobs_trigger`.
            scopes (list[LegacyScope] | Unset): Any of `read`, `write`, `execute`, `admin`.
            user_id (None | str | Unset): The user the key acts for.
     """

    name: str
    environment: LegacyKeyEnvironment | None | Unset = UNSET
    expires_at: None | str | Unset = UNSET
    permissions: list[str] | Unset = UNSET
    scopes: list[LegacyScope] | Unset = UNSET
    user_id: None | str | Unset = UNSET





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
        else:
            expires_at = self.expires_at

        permissions: list[str] | Unset = UNSET
        if not isinstance(self.permissions, Unset):
            permissions = self.permissions



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


        def _parse_expires_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        expires_at = _parse_expires_at(d.pop("expiresAt", UNSET))


        permissions = cast(list[str], d.pop("permissions", UNSET))


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


        legacy_create_api_key = cls(
            name=name,
            environment=environment,
            expires_at=expires_at,
            permissions=permissions,
            scopes=scopes,
            user_id=user_id,
        )

        return legacy_create_api_key

