from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="LegacyModelUsage")



@_attrs_define
class LegacyModelUsage:
    """ Tokens used and their estimated cost.

        Attributes:
            cost_usd (float):
            input_tokens (int):
            output_tokens (int):
     """

    cost_usd: float
    input_tokens: int
    output_tokens: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        cost_usd = self.cost_usd

        input_tokens = self.input_tokens

        output_tokens = self.output_tokens


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "costUsd": cost_usd,
            "inputTokens": input_tokens,
            "outputTokens": output_tokens,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cost_usd = d.pop("costUsd")

        input_tokens = d.pop("inputTokens")

        output_tokens = d.pop("outputTokens")

        legacy_model_usage = cls(
            cost_usd=cost_usd,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
        )


        legacy_model_usage.additional_properties = d
        return legacy_model_usage

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
