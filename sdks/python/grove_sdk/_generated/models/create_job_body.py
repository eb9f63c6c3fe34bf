from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.create_job_body_parameter_sets_type_0_item import CreateJobBodyParameterSetsType0Item
  from ..models.param_spec import ParamSpec
  from ..models.retry_policy import RetryPolicy
  from ..models.saved_query import SavedQuery





T = TypeVar("T", bound="CreateJobBody")



@_attrs_define
class CreateJobBody:
    """ A job as created or updated. On create `name` and `prompt` are
    required; on update every field is optional and absent ones keep their
    value (`schedule: null` removes the schedule).

        Attributes:
            name (str):
            prompt (str): The question, with `{{name}}` placeholders for declared parameters.
            channel_ids (list[str] | None | Unset):
            fan_out_concurrency (int | None | Unset): 1 to 50, default 4.
            parameter_sets (list[CreateJobBodyParameterSetsType0Item] | None | Unset):
            parameters (list[ParamSpec] | None | Unset):
            queries (list[SavedQuery] | None | Unset): Queries run in order before the model (`{name, connector_id, sql,
                chart?}`), with `{{parameters}}` bound as SQL parameters.
            retry (None | RetryPolicy | Unset):
            schedule (None | str | Unset): 5-field cron or `@hourly`, `@daily`, `@weekly`, `@monthly`,
                `@first-weekday`, `@last-weekday`.
            schedule_enabled (bool | None | Unset): Default true.
            timeout_seconds (int | None | Unset): 1 to 86400, default 300.
            timezone (None | str | Unset): IANA time zone of the schedule (default `UTC`).
     """

    name: str
    prompt: str
    channel_ids: list[str] | None | Unset = UNSET
    fan_out_concurrency: int | None | Unset = UNSET
    parameter_sets: list[CreateJobBodyParameterSetsType0Item] | None | Unset = UNSET
    parameters: list[ParamSpec] | None | Unset = UNSET
    queries: list[SavedQuery] | None | Unset = UNSET
    retry: None | RetryPolicy | Unset = UNSET
    schedule: None | str | Unset = UNSET
    schedule_enabled: bool | None | Unset = UNSET
    timeout_seconds: int | None | Unset = UNSET
    timezone: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.create_job_body_parameter_sets_type_0_item import CreateJobBodyParameterSetsType0Item # noqa: PLC0415
        from ..models.param_spec import ParamSpec # noqa: PLC0415
        from ..models.retry_policy import RetryPolicy # noqa: PLC0415
        from ..models.saved_query import SavedQuery # noqa: PLC0415
        name = self.name

        prompt = self.prompt

        channel_ids: list[str] | None | Unset
        if isinstance(self.channel_ids, Unset):
            channel_ids = UNSET
        elif isinstance(self.channel_ids, list):
            channel_ids = self.channel_ids


        else:
            channel_ids = self.channel_ids

        fan_out_concurrency: int | None | Unset
        if isinstance(self.fan_out_concurrency, Unset):
            fan_out_concurrency = UNSET
        else:
            fan_out_concurrency = self.fan_out_concurrency

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

        parameters: list[dict[str, Any]] | None | Unset
        if isinstance(self.parameters, Unset):
            parameters = UNSET
        elif isinstance(self.parameters, list):
            parameters = []
            for parameters_type_0_item_data in self.parameters:
                parameters_type_0_item = parameters_type_0_item_data.to_dict()
                parameters.append(parameters_type_0_item)


        else:
            parameters = self.parameters

        queries: list[dict[str, Any]] | None | Unset
        if isinstance(self.queries, Unset):
            queries = UNSET
        elif isinstance(self.queries, list):
            queries = []
            for queries_type_0_item_data in self.queries:
                queries_type_0_item = queries_type_0_item_data.to_dict()
                queries.append(queries_type_0_item)


        else:
            queries = self.queries

        retry: dict[str, Any] | None | Unset
        if isinstance(self.retry, Unset):
            retry = UNSET
        elif isinstance(self.retry, RetryPolicy):
            retry = self.retry.to_dict()
        else:
            retry = self.retry

        schedule: None | str | Unset
        if isinstance(self.schedule, Unset):
            schedule = UNSET
        else:
            schedule = self.schedule

        schedule_enabled: bool | None | Unset
        if isinstance(self.schedule_enabled, Unset):
            schedule_enabled = UNSET
        else:
            schedule_enabled = self.schedule_enabled

        timeout_seconds: int | None | Unset
        if isinstance(self.timeout_seconds, Unset):
            timeout_seconds = UNSET
        else:
            timeout_seconds = self.timeout_seconds

        timezone: None | str | Unset
        if isinstance(self.timezone, Unset):
            timezone = UNSET
        else:
            timezone = self.timezone


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "prompt": prompt,
        })
        if channel_ids is not UNSET:
            field_dict["channel_ids"] = channel_ids
        if fan_out_concurrency is not UNSET:
            field_dict["fan_out_concurrency"] = fan_out_concurrency
        if parameter_sets is not UNSET:
            field_dict["parameter_sets"] = parameter_sets
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if queries is not UNSET:
            field_dict["queries"] = queries
        if retry is not UNSET:
            field_dict["retry"] = retry
        if schedule is not UNSET:
            field_dict["schedule"] = schedule
        if schedule_enabled is not UNSET:
            field_dict["schedule_enabled"] = schedule_enabled
        if timeout_seconds is not UNSET:
            field_dict["timeout_seconds"] = timeout_seconds
        if timezone is not UNSET:
            field_dict["timezone"] = timezone

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_job_body_parameter_sets_type_0_item import CreateJobBodyParameterSetsType0Item # noqa: PLC0415
        from ..models.param_spec import ParamSpec # noqa: PLC0415
        from ..models.retry_policy import RetryPolicy # noqa: PLC0415
        from ..models.saved_query import SavedQuery # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        prompt = d.pop("prompt")

        def _parse_channel_ids(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                channel_ids_type_0 = cast(list[str], data)

                return channel_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        channel_ids = _parse_channel_ids(d.pop("channel_ids", UNSET))


        def _parse_fan_out_concurrency(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        fan_out_concurrency = _parse_fan_out_concurrency(d.pop("fan_out_concurrency", UNSET))


        def _parse_parameter_sets(data: object) -> list[CreateJobBodyParameterSetsType0Item] | None | Unset:
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
                    parameter_sets_type_0_item = CreateJobBodyParameterSetsType0Item.from_dict(parameter_sets_type_0_item_data)



                    parameter_sets_type_0.append(parameter_sets_type_0_item)

                return parameter_sets_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[CreateJobBodyParameterSetsType0Item] | None | Unset, data)

        parameter_sets = _parse_parameter_sets(d.pop("parameter_sets", UNSET))


        def _parse_parameters(data: object) -> list[ParamSpec] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                parameters_type_0 = []
                _parameters_type_0 = data
                for parameters_type_0_item_data in (_parameters_type_0):
                    parameters_type_0_item = ParamSpec.from_dict(parameters_type_0_item_data)



                    parameters_type_0.append(parameters_type_0_item)

                return parameters_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ParamSpec] | None | Unset, data)

        parameters = _parse_parameters(d.pop("parameters", UNSET))


        def _parse_queries(data: object) -> list[SavedQuery] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                queries_type_0 = []
                _queries_type_0 = data
                for queries_type_0_item_data in (_queries_type_0):
                    queries_type_0_item = SavedQuery.from_dict(queries_type_0_item_data)



                    queries_type_0.append(queries_type_0_item)

                return queries_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[SavedQuery] | None | Unset, data)

        queries = _parse_queries(d.pop("queries", UNSET))


        def _parse_retry(data: object) -> None | RetryPolicy | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                retry_type_1 = RetryPolicy.from_dict(data)



                return retry_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RetryPolicy | Unset, data)

        retry = _parse_retry(d.pop("retry", UNSET))


        def _parse_schedule(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        schedule = _parse_schedule(d.pop("schedule", UNSET))


        def _parse_schedule_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        schedule_enabled = _parse_schedule_enabled(d.pop("schedule_enabled", UNSET))


        def _parse_timeout_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        timeout_seconds = _parse_timeout_seconds(d.pop("timeout_seconds", UNSET))


        def _parse_timezone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timezone = _parse_timezone(d.pop("timezone", UNSET))


        create_job_body = cls(
            name=name,
            prompt=prompt,
            channel_ids=channel_ids,
            fan_out_concurrency=fan_out_concurrency,
            parameter_sets=parameter_sets,
            parameters=parameters,
            queries=queries,
            retry=retry,
            schedule=schedule,
            schedule_enabled=schedule_enabled,
            timeout_seconds=timeout_seconds,
            timezone=timezone,
        )

        return create_job_body

