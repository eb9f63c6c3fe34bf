from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.query_body_parameters_type_0 import QueryBodyParametersType0





T = TypeVar("T", bound="QueryBody")



@_attrs_define
class QueryBody:
    """ `POST …/query`: a read-only statement with `{{name}}` parameters bound.

        Attributes:
            sql (str):
            parameters (None | QueryBodyParametersType0 | Unset): Values for the `{{name}}` placeholders: strings, numbers,
                booleans
                or null.
     """

    sql: str
    parameters: None | QueryBodyParametersType0 | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.query_body_parameters_type_0 import QueryBodyParametersType0 # noqa: PLC0415
        sql = self.sql

        parameters: dict[str, Any] | None | Unset
        if isinstance(self.parameters, Unset):
            parameters = UNSET
        elif isinstance(self.parameters, QueryBodyParametersType0):
            parameters = self.parameters.to_dict()
        else:
            parameters = self.parameters


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "sql": sql,
        })
        if parameters is not UNSET:
            field_dict["parameters"] = parameters

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.query_body_parameters_type_0 import QueryBodyParametersType0 # noqa: PLC0415
        d = dict(src_dict)
        sql = d.pop("sql")

        def _parse_parameters(data: object) -> None | QueryBodyParametersType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                parameters_type_0 = QueryBodyParametersType0.from_dict(data)



                return parameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QueryBodyParametersType0 | Unset, data)

        parameters = _parse_parameters(d.pop("parameters", UNSET))


        query_body = cls(
            sql=sql,
            parameters=parameters,
        )

        return query_body

