from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.components import Components





T = TypeVar("T", bound="CreateAiAgentManagerBody")



@_attrs_define
class CreateAiAgentManagerBody:
    """ 
        Attributes:
            name (str):
            active (bool | None | Unset):
            components (Components | None | Unset):
            data_connector_ids (list[str] | Unset):
            data_source_ids (list[str] | Unset):
            description (None | str | Unset):
            max_run_cost_usd (float | None | Unset):
            max_run_tokens (int | None | Unset):
            max_steps (int | None | Unset):
            max_tokens (int | None | Unset):
            model (None | str | Unset):
            similarity_threshold (float | None | Unset):
            slug (None | str | Unset):
            strategy_code (None | str | Unset): REDWOOD, CEDAR or CYPRESS.
            system_prompt (None | str | Unset):
            temperature (float | None | Unset):
     """

    name: str
    active: bool | None | Unset = UNSET
    components: Components | None | Unset = UNSET
    data_connector_ids: list[str] | Unset = UNSET
    data_source_ids: list[str] | Unset = UNSET
    description: None | str | Unset = UNSET
    max_run_cost_usd: float | None | Unset = UNSET
    max_run_tokens: int | None | Unset = UNSET
    max_steps: int | None | Unset = UNSET
    max_tokens: int | None | Unset = UNSET
    model: None | str | Unset = UNSET
    similarity_threshold: float | None | Unset = UNSET
    slug: None | str | Unset = UNSET
    strategy_code: None | str | Unset = UNSET
    system_prompt: None | str | Unset = UNSET
    temperature: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.components import Components # noqa: PLC0415
        name = self.name

        active: bool | None | Unset
        if isinstance(self.active, Unset):
            active = UNSET
        else:
            active = self.active

        components: dict[str, Any] | None | Unset
        if isinstance(self.components, Unset):
            components = UNSET
        elif isinstance(self.components, Components):
            components = self.components.to_dict()
        else:
            components = self.components

        data_connector_ids: list[str] | Unset = UNSET
        if not isinstance(self.data_connector_ids, Unset):
            data_connector_ids = self.data_connector_ids



        data_source_ids: list[str] | Unset = UNSET
        if not isinstance(self.data_source_ids, Unset):
            data_source_ids = self.data_source_ids



        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        max_run_cost_usd: float | None | Unset
        if isinstance(self.max_run_cost_usd, Unset):
            max_run_cost_usd = UNSET
        else:
            max_run_cost_usd = self.max_run_cost_usd

        max_run_tokens: int | None | Unset
        if isinstance(self.max_run_tokens, Unset):
            max_run_tokens = UNSET
        else:
            max_run_tokens = self.max_run_tokens

        max_steps: int | None | Unset
        if isinstance(self.max_steps, Unset):
            max_steps = UNSET
        else:
            max_steps = self.max_steps

        max_tokens: int | None | Unset
        if isinstance(self.max_tokens, Unset):
            max_tokens = UNSET
        else:
            max_tokens = self.max_tokens

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        similarity_threshold: float | None | Unset
        if isinstance(self.similarity_threshold, Unset):
            similarity_threshold = UNSET
        else:
            similarity_threshold = self.similarity_threshold

        slug: None | str | Unset
        if isinstance(self.slug, Unset):
            slug = UNSET
        else:
            slug = self.slug

        strategy_code: None | str | Unset
        if isinstance(self.strategy_code, Unset):
            strategy_code = UNSET
        else:
            strategy_code = self.strategy_code

        system_prompt: None | str | Unset
        if isinstance(self.system_prompt, Unset):
            system_prompt = UNSET
        else:
            system_prompt = self.system_prompt

        temperature: float | None | Unset
        if isinstance(self.temperature, Unset):
            temperature = UNSET
        else:
            temperature = self.temperature


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "name": name,
        })
        if active is not UNSET:
            field_dict["active"] = active
        if components is not UNSET:
            field_dict["components"] = components
        if data_connector_ids is not UNSET:
            field_dict["data_connector_ids"] = data_connector_ids
        if data_source_ids is not UNSET:
            field_dict["data_source_ids"] = data_source_ids
        if description is not UNSET:
            field_dict["description"] = description
        if max_run_cost_usd is not UNSET:
            field_dict["max_run_cost_usd"] = max_run_cost_usd
        if max_run_tokens is not UNSET:
            field_dict["max_run_tokens"] = max_run_tokens
        if max_steps is not UNSET:
            field_dict["max_steps"] = max_steps
        if max_tokens is not UNSET:
            field_dict["max_tokens"] = max_tokens
        if model is not UNSET:
            field_dict["model"] = model
        if similarity_threshold is not UNSET:
            field_dict["similarity_threshold"] = similarity_threshold
        if slug is not UNSET:
            field_dict["slug"] = slug
        if strategy_code is not UNSET:
            field_dict["strategy_code"] = strategy_code
        if system_prompt is not UNSET:
            field_dict["system_prompt"] = system_prompt
        if temperature is not UNSET:
            field_dict["temperature"] = temperature

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.components import Components # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_active(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        active = _parse_active(d.pop("active", UNSET))


        def _parse_components(data: object) -> Components | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                components_type_1 = Components.from_dict(data)



                return components_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Components | None | Unset, data)

        components = _parse_components(d.pop("components", UNSET))


        data_connector_ids = cast(list[str], d.pop("data_connector_ids", UNSET))


        data_source_ids = cast(list[str], d.pop("data_source_ids", UNSET))


        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        def _parse_max_run_cost_usd(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_run_cost_usd = _parse_max_run_cost_usd(d.pop("max_run_cost_usd", UNSET))


        def _parse_max_run_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_run_tokens = _parse_max_run_tokens(d.pop("max_run_tokens", UNSET))


        def _parse_max_steps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_steps = _parse_max_steps(d.pop("max_steps", UNSET))


        def _parse_max_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_tokens = _parse_max_tokens(d.pop("max_tokens", UNSET))


        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))


        def _parse_similarity_threshold(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        similarity_threshold = _parse_similarity_threshold(d.pop("similarity_threshold", UNSET))


        def _parse_slug(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        slug = _parse_slug(d.pop("slug", UNSET))


        def _parse_strategy_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        strategy_code = _parse_strategy_code(d.pop("strategy_code", UNSET))


        def _parse_system_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        system_prompt = _parse_system_prompt(d.pop("system_prompt", UNSET))


        def _parse_temperature(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        temperature = _parse_temperature(d.pop("temperature", UNSET))


        create_ai_agent_manager_body = cls(
            name=name,
            active=active,
            components=components,
            data_connector_ids=data_connector_ids,
            data_source_ids=data_source_ids,
            description=description,
            max_run_cost_usd=max_run_cost_usd,
            max_run_tokens=max_run_tokens,
            max_steps=max_steps,
            max_tokens=max_tokens,
            model=model,
            similarity_threshold=similarity_threshold,
            slug=slug,
            strategy_code=strategy_code,
            system_prompt=system_prompt,
            temperature=temperature,
        )


        create_ai_agent_manager_body.additional_properties = d
        return create_ai_agent_manager_body

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
