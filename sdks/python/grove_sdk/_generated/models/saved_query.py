from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.chart_choice import ChartChoice





T = TypeVar("T", bound="SavedQuery")



@_attrs_define
class SavedQuery:
    """ A query a job runs before (or instead of) its model, with the job's
    `{{parameters}}` bound as SQL parameters.

        Attributes:
            connector_id (str):
            name (str):
            sql (str):
            chart (ChartChoice | None | Unset):
     """

    connector_id: str
    name: str
    sql: str
    chart: ChartChoice | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.chart_choice import ChartChoice # noqa: PLC0415
        connector_id = self.connector_id

        name = self.name

        sql = self.sql

        chart: dict[str, Any] | None | Unset
        if isinstance(self.chart, Unset):
            chart = UNSET
        elif isinstance(self.chart, ChartChoice):
            chart = self.chart.to_dict()
        else:
            chart = self.chart


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "connector_id": connector_id,
            "name": name,
            "sql": sql,
        })
        if chart is not UNSET:
            field_dict["chart"] = chart

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chart_choice import ChartChoice # noqa: PLC0415
        d = dict(src_dict)
        connector_id = d.pop("connector_id")

        name = d.pop("name")

        sql = d.pop("sql")

        def _parse_chart(data: object) -> ChartChoice | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                chart_type_1 = ChartChoice.from_dict(data)



                return chart_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChartChoice | None | Unset, data)

        chart = _parse_chart(d.pop("chart", UNSET))


        saved_query = cls(
            connector_id=connector_id,
            name=name,
            sql=sql,
            chart=chart,
        )

        return saved_query

