from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.job_parameter_sets_item import JobParameterSetsItem
  from ..models.param_spec import ParamSpec
  from ..models.retry_policy import RetryPolicy
  from ..models.saved_query import SavedQuery





T = TypeVar("T", bound="Job")



@_attrs_define
class Job:
    """ A job: a named, repeatable question to an agent.

        Attributes:
            agent_id (str):
            channel_ids (list[str]):
            created_at (datetime.datetime):
            fan_out_concurrency (int): Runs of one fan-out that may run at the same time.
            id (str):
            name (str):
            org_id (str):
            parameter_sets (list[JobParameterSetsItem]): Saved parameter sets: a trigger without parameters fans out over
                them.
            parameters (list[ParamSpec]):
            prompt (str): The question, with `{{name}}` placeholders for parameters.
            queries (list[SavedQuery]): Queries run in order before the model; their tables, charts and
                report go in the run's chat.
            retry (RetryPolicy): What happens when a run fails or times out.
            schedule_enabled (bool):
            timeout_seconds (int):
            timezone (str): IANA time zone the schedule is read in.
            updated_at (datetime.datetime):
            next_run_at (datetime.datetime | None | Unset): When the schedule fires next (absent without an enabled
                schedule).
            schedule (None | str | Unset): 5-field cron or a shortcut (`@daily`, `@first-weekday`, …).
     """

    agent_id: str
    channel_ids: list[str]
    created_at: datetime.datetime
    fan_out_concurrency: int
    id: str
    name: str
    org_id: str
    parameter_sets: list[JobParameterSetsItem]
    parameters: list[ParamSpec]
    prompt: str
    queries: list[SavedQuery]
    retry: RetryPolicy
    schedule_enabled: bool
    timeout_seconds: int
    timezone: str
    updated_at: datetime.datetime
    next_run_at: datetime.datetime | None | Unset = UNSET
    schedule: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.job_parameter_sets_item import JobParameterSetsItem # noqa: PLC0415
        from ..models.param_spec import ParamSpec # noqa: PLC0415
        from ..models.retry_policy import RetryPolicy # noqa: PLC0415
        from ..models.saved_query import SavedQuery # noqa: PLC0415
        agent_id = self.agent_id

        channel_ids = self.channel_ids



        created_at = self.created_at.isoformat()

        fan_out_concurrency = self.fan_out_concurrency

        id = self.id

        name = self.name

        org_id = self.org_id

        parameter_sets = []
        for parameter_sets_item_data in self.parameter_sets:
            parameter_sets_item = parameter_sets_item_data.to_dict()
            parameter_sets.append(parameter_sets_item)



        parameters = []
        for parameters_item_data in self.parameters:
            parameters_item = parameters_item_data.to_dict()
            parameters.append(parameters_item)



        prompt = self.prompt

        queries = []
        for queries_item_data in self.queries:
            queries_item = queries_item_data.to_dict()
            queries.append(queries_item)



        retry = self.retry.to_dict()

        schedule_enabled = self.schedule_enabled

        timeout_seconds = self.timeout_seconds

        timezone = self.timezone

        updated_at = self.updated_at.isoformat()

        next_run_at: None | str | Unset
        if isinstance(self.next_run_at, Unset):
            next_run_at = UNSET
        elif isinstance(self.next_run_at, datetime.datetime):
            next_run_at = self.next_run_at.isoformat()
        else:
            next_run_at = self.next_run_at

        schedule: None | str | Unset
        if isinstance(self.schedule, Unset):
            schedule = UNSET
        else:
            schedule = self.schedule


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agent_id": agent_id,
            "channel_ids": channel_ids,
            "created_at": created_at,
            "fan_out_concurrency": fan_out_concurrency,
            "id": id,
            "name": name,
            "org_id": org_id,
            "parameter_sets": parameter_sets,
            "parameters": parameters,
            "prompt": prompt,
            "queries": queries,
            "retry": retry,
            "schedule_enabled": schedule_enabled,
            "timeout_seconds": timeout_seconds,
            "timezone": timezone,
            "updated_at": updated_at,
        })
        if next_run_at is not UNSET:
            field_dict["next_run_at"] = next_run_at
        if schedule is not UNSET:
            field_dict["schedule"] = schedule

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_parameter_sets_item import JobParameterSetsItem # noqa: PLC0415
        from ..models.param_spec import ParamSpec # noqa: PLC0415
        from ..models.retry_policy import RetryPolicy # noqa: PLC0415
        from ..models.saved_query import SavedQuery # noqa: PLC0415
        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        channel_ids = cast(list[str], d.pop("channel_ids"))


        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        fan_out_concurrency = d.pop("fan_out_concurrency")

        id = d.pop("id")

        name = d.pop("name")

        org_id = d.pop("org_id")

        parameter_sets = []
        _parameter_sets = d.pop("parameter_sets")
        for parameter_sets_item_data in (_parameter_sets):
            parameter_sets_item = JobParameterSetsItem.from_dict(parameter_sets_item_data)



            parameter_sets.append(parameter_sets_item)


        parameters = []
        _parameters = d.pop("parameters")
        for parameters_item_data in (_parameters):
            parameters_item = ParamSpec.from_dict(parameters_item_data)



            parameters.append(parameters_item)


        prompt = d.pop("prompt")

        queries = []
        _queries = d.pop("queries")
        for queries_item_data in (_queries):
            queries_item = SavedQuery.from_dict(queries_item_data)



            queries.append(queries_item)


        retry = RetryPolicy.from_dict(d.pop("retry"))




        schedule_enabled = d.pop("schedule_enabled")

        timeout_seconds = d.pop("timeout_seconds")

        timezone = d.pop("timezone")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        def _parse_next_run_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_run_at_type_0 = datetime.datetime.fromisoformat(data)



                return next_run_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_run_at = _parse_next_run_at(d.pop("next_run_at", UNSET))


        def _parse_schedule(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        schedule = _parse_schedule(d.pop("schedule", UNSET))


        job = cls(
            agent_id=agent_id,
            channel_ids=channel_ids,
            created_at=created_at,
            fan_out_concurrency=fan_out_concurrency,
            id=id,
            name=name,
            org_id=org_id,
            parameter_sets=parameter_sets,
            parameters=parameters,
            prompt=prompt,
            queries=queries,
            retry=retry,
            schedule_enabled=schedule_enabled,
            timeout_seconds=timeout_seconds,
            timezone=timezone,
            updated_at=updated_at,
            next_run_at=next_run_at,
            schedule=schedule,
        )


        job.additional_properties = d
        return job

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
