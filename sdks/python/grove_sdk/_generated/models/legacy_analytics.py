from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_granularity import LegacyGranularity
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.legacy_metrics import LegacyMetrics
  from ..models.legacy_point import LegacyPoint





T = TypeVar("T", bound="LegacyAnalytics")



@_attrs_define
class LegacyAnalytics:
    """ 
        Attributes:
            end_date (str):
            granularity (LegacyGranularity): The width of a time-series bucket, in UTC.
            metrics (LegacyMetrics): Totals over the range; a rate is null when nothing counts toward it.
            start_date (str):
            time_series (list[LegacyPoint]):
            agent_id (None | str | Unset):
     """

    end_date: str
    granularity: LegacyGranularity
    metrics: LegacyMetrics
    start_date: str
    time_series: list[LegacyPoint]
    agent_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_metrics import LegacyMetrics # noqa: PLC0415
        from ..models.legacy_point import LegacyPoint # noqa: PLC0415
        end_date = self.end_date

        granularity = self.granularity.value

        metrics = self.metrics.to_dict()

        start_date = self.start_date

        time_series = []
        for time_series_item_data in self.time_series:
            time_series_item = time_series_item_data.to_dict()
            time_series.append(time_series_item)



        agent_id: None | str | Unset
        if isinstance(self.agent_id, Unset):
            agent_id = UNSET
        else:
            agent_id = self.agent_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "endDate": end_date,
            "granularity": granularity,
            "metrics": metrics,
            "startDate": start_date,
            "timeSeries": time_series,
        })
        if agent_id is not UNSET:
            field_dict["agentId"] = agent_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_metrics import LegacyMetrics # noqa: PLC0415
        from ..models.legacy_point import LegacyPoint # noqa: PLC0415
        d = dict(src_dict)
        end_date = d.pop("endDate")

        granularity = LegacyGranularity(d.pop("granularity"))




        metrics = LegacyMetrics.from_dict(d.pop("metrics"))




        start_date = d.pop("startDate")

        time_series = []
        _time_series = d.pop("timeSeries")
        for time_series_item_data in (_time_series):
            time_series_item = LegacyPoint.from_dict(time_series_item_data)



            time_series.append(time_series_item)


        def _parse_agent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_id = _parse_agent_id(d.pop("agentId", UNSET))


        legacy_analytics = cls(
            end_date=end_date,
            granularity=granularity,
            metrics=metrics,
            start_date=start_date,
            time_series=time_series,
            agent_id=agent_id,
        )


        legacy_analytics.additional_properties = d
        return legacy_analytics

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
