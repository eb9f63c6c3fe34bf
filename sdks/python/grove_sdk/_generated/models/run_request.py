from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.run_request_parameter_sets_type_0_item import RunRequestParameterSetsType0Item
  from ..models.run_request_parameters_type_0 import RunRequestParametersType0





T = TypeVar("T", bound="RunRequest")



@_attrs_define
class RunRequest:
    """ Parameters of a manual run or API trigger: `parameters` for one run,
    `parameter_sets` for a fan-out; neither runs the job's saved sets (or
    its defaults).

        Attributes:
            parameter_sets (list[RunRequestParameterSetsType0Item] | None | Unset):
            parameters (None | RunRequestParametersType0 | Unset):
     """

    parameter_sets: list[RunRequestParameterSetsType0Item] | None | Unset = UNSET
    parameters: None | RunRequestParametersType0 | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.run_request_parameter_sets_type_0_item import RunRequestParameterSetsType0Item # noqa: PLC0415
        from ..models.run_request_parameters_type_0 import RunRequestParametersType0 # noqa: PLC0415
        parameter_sets: list[dict[str, Any]] | None | Unset
        if isinstance(self.parameter_sets, Unset):
            parameter_sets = UNSET
        elif isinstance(self.parameter_sets, list):
            parameter_sets = []
            for parameter_sets_type_0_item_data in self.parameter_sets:
                parameter_sets_type_0_item = parameter_sets_type_0_item_data.to_dict()
                parameter_sets.append(parameter_sets_type_0_item)


        else:
            parameter_sets = self.parameter_sets

        parameters: dict[str, Any] | None | Unset
        if isinstance(self.parameters, Unset):
            parameters = UNSET
        elif isinstance(self.parameters, RunRequestParametersType0):
            parameters = self.parameters.to_dict()
        else:
            parameters = self.parameters


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if parameter_sets is not UNSET:
            field_dict["parameter_sets"] = parameter_sets
        if parameters is not UNSET:
            field_dict["parameters"] = parameters

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_request_parameter_sets_type_0_item import RunRequestParameterSetsType0Item # noqa: PLC0415
        from ..models.run_request_parameters_type_0 import RunRequestParametersType0 # noqa: PLC0415
        d = dict(src_dict)
        def _parse_parameter_sets(data: object) -> list[RunRequestParameterSetsType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                parameter_sets_type_0 = []
                _parameter_sets_type_0 = data
                for parameter_sets_type_0_item_data in (_parameter_sets_type_0):
                    parameter_sets_type_0_item = RunRequestParameterSetsType0Item.from_dict(parameter_sets_type_0_item_data)



                    parameter_sets_type_0.append(parameter_sets_type_0_item)

                return parameter_sets_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[RunRequestParameterSetsType0Item] | None | Unset, data)

        parameter_sets = _parse_parameter_sets(d.pop("parameter_sets", UNSET))


        def _parse_parameters(data: object) -> None | RunRequestParametersType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                parameters_type_0 = RunRequestParametersType0.from_dict(data)



                return parameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RunRequestParametersType0 | Unset, data)

        parameters = _parse_parameters(d.pop("parameters", UNSET))


        run_request = cls(
            parameter_sets=parameter_sets,
            parameters=parameters,
        )

        return run_request

