from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.param_type import ParamType
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.param_spec_default_type_0 import ParamSpecDefaultType0





T = TypeVar("T", bound="ParamSpec")



@_attrs_define
class ParamSpec:
    """ A parameter a job's prompt template declares.

        Attributes:
            name (str):
            type_ (ParamType): The type of a job parameter; a value must match it.
            default (None | ParamSpecDefaultType0 | Unset): Used when a trigger leaves the parameter out; without one the
                parameter is required.
     """

    name: str
    type_: ParamType
    default: None | ParamSpecDefaultType0 | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.param_spec_default_type_0 import ParamSpecDefaultType0 # noqa: PLC0415
        name = self.name

        type_ = self.type_.value

        default: dict[str, Any] | None | Unset
        if isinstance(self.default, Unset):
            default = UNSET
        elif isinstance(self.default, ParamSpecDefaultType0):
            default = self.default.to_dict()
        else:
            default = self.default


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "type": type_,
        })
        if default is not UNSET:
            field_dict["default"] = default

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.param_spec_default_type_0 import ParamSpecDefaultType0 # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        type_ = ParamType(d.pop("type"))




        def _parse_default(data: object) -> None | ParamSpecDefaultType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                default_type_0 = ParamSpecDefaultType0.from_dict(data)



                return default_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ParamSpecDefaultType0 | Unset, data)

        default = _parse_default(d.pop("default", UNSET))


        param_spec = cls(
            name=name,
            type_=type_,
            default=default,
        )

        return param_spec

