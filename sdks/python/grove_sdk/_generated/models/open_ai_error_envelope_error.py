from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.open_ai_error_envelope_error_details import OpenAiErrorEnvelopeErrorDetails





T = TypeVar("T", bound="OpenAiErrorEnvelopeError")



@_attrs_define
class OpenAiErrorEnvelopeError:
    """ 
        Attributes:
            code (str):
            message (str):
            type_ (str):
            details (OpenAiErrorEnvelopeErrorDetails | Unset):
            param (None | str | Unset):
     """

    code: str
    message: str
    type_: str
    details: OpenAiErrorEnvelopeErrorDetails | Unset = UNSET
    param: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.open_ai_error_envelope_error_details import OpenAiErrorEnvelopeErrorDetails # noqa: PLC0415
        code = self.code

        message = self.message

        type_ = self.type_

        details: dict[str, Any] | Unset = UNSET
        if not isinstance(self.details, Unset):
            details = self.details.to_dict()

        param: None | str | Unset
        if isinstance(self.param, Unset):
            param = UNSET
        else:
            param = self.param


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "code": code,
            "message": message,
            "type": type_,
        })
        if details is not UNSET:
            field_dict["details"] = details
        if param is not UNSET:
            field_dict["param"] = param

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.open_ai_error_envelope_error_details import OpenAiErrorEnvelopeErrorDetails # noqa: PLC0415
        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        type_ = d.pop("type")

        _details = d.pop("details", UNSET)
        details: OpenAiErrorEnvelopeErrorDetails | Unset
        if isinstance(_details,  Unset):
            details = UNSET
        else:
            details = OpenAiErrorEnvelopeErrorDetails.from_dict(_details)




        def _parse_param(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        param = _parse_param(d.pop("param", UNSET))


        open_ai_error_envelope_error = cls(
            code=code,
            message=message,
            type_=type_,
            details=details,
            param=param,
        )


        open_ai_error_envelope_error.additional_properties = d
        return open_ai_error_envelope_error

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
