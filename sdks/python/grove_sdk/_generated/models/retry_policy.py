from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="RetryPolicy")



@_attrs_define
class RetryPolicy:
    """ What happens when a run fails or times out.

        Attributes:
            delay_seconds (int): Wait before each retry.
            max_retries (int): Attempts after the first one.
     """

    delay_seconds: int
    max_retries: int





    def to_dict(self) -> dict[str, Any]:
        delay_seconds = self.delay_seconds

        max_retries = self.max_retries


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "delay_seconds": delay_seconds,
            "max_retries": max_retries,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        delay_seconds = d.pop("delay_seconds")

        max_retries = d.pop("max_retries")

        retry_policy = cls(
            delay_seconds=delay_seconds,
            max_retries=max_retries,
        )

        return retry_policy

