from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.chart_type import ChartType
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ChartChoice")



@_attrs_define
class ChartChoice:
    """ Which chart a query's result gets: the mark and the columns on each
    channel (checked against the result's columns when it runs).

        Attributes:
            type_ (ChartType): The mark of a chart.
            x (str):
            y (str):
            color (None | str | Unset):
     """

    type_: ChartType
    x: str
    y: str
    color: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        x = self.x

        y = self.y

        color: None | str | Unset
        if isinstance(self.color, Unset):
            color = UNSET
        else:
            color = self.color


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "type": type_,
            "x": x,
            "y": y,
        })
        if color is not UNSET:
            field_dict["color"] = color

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = ChartType(d.pop("type"))




        x = d.pop("x")

        y = d.pop("y")

        def _parse_color(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        color = _parse_color(d.pop("color", UNSET))


        chart_choice = cls(
            type_=type_,
            x=x,
            y=y,
            color=color,
        )

        return chart_choice

