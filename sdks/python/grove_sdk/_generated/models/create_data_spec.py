from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.create_data_spec_config_type_0 import CreateDataSpecConfigType0





T = TypeVar("T", bound="CreateDataSpec")



@_attrs_define
class CreateDataSpec:
    """ The legacy create body: `{"type":"WEBSITE","name","url","refreshFrequency":"DAILY"}`
    (keys arrive snake_cased by the legacy adapter).

        Attributes:
            name (str):
            type_ (str):
            config (CreateDataSpecConfigType0 | None | Unset):
            refresh_frequency (None | str | Unset):
            url (None | str | Unset):
     """

    name: str
    type_: str
    config: CreateDataSpecConfigType0 | None | Unset = UNSET
    refresh_frequency: None | str | Unset = UNSET
    url: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.create_data_spec_config_type_0 import CreateDataSpecConfigType0 # noqa: PLC0415
        name = self.name

        type_ = self.type_

        config: dict[str, Any] | None | Unset
        if isinstance(self.config, Unset):
            config = UNSET
        elif isinstance(self.config, CreateDataSpecConfigType0):
            config = self.config.to_dict()
        else:
            config = self.config

        refresh_frequency: None | str | Unset
        if isinstance(self.refresh_frequency, Unset):
            refresh_frequency = UNSET
        else:
            refresh_frequency = self.refresh_frequency

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "type": type_,
        })
        if config is not UNSET:
            field_dict["config"] = config
        if refresh_frequency is not UNSET:
            field_dict["refresh_frequency"] = refresh_frequency
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_data_spec_config_type_0 import CreateDataSpecConfigType0 # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        type_ = d.pop("type")

        def _parse_config(data: object) -> CreateDataSpecConfigType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                config_type_0 = CreateDataSpecConfigType0.from_dict(data)



                return config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateDataSpecConfigType0 | None | Unset, data)

        config = _parse_config(d.pop("config", UNSET))


        def _parse_refresh_frequency(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        refresh_frequency = _parse_refresh_frequency(d.pop("refresh_frequency", UNSET))


        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))


        create_data_spec = cls(
            name=name,
            type_=type_,
            config=config,
            refresh_frequency=refresh_frequency,
            url=url,
        )

        return create_data_spec

