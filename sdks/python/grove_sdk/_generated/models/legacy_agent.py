from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_agent_status import LegacyAgentStatus
from ..models.legacy_model_source import LegacyModelSource
from ..models.legacy_rag_strategy import LegacyRagStrategy
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.legacy_components import LegacyComponents





T = TypeVar("T", bound="LegacyAgent")



@_attrs_define
class LegacyAgent:
    """ A knowledge agent.

        Attributes:
            active (bool):
            created_at (datetime.datetime):
            data_connector_ids (list[str]): Databases the agent's tool loop may query (with a language model).
            data_source_ids (list[str]):
            description (str):
            id (str):
            max_steps (int): Tool rounds the analyst loop may take before it must answer.
            max_tokens (int):
            model (str): `extractive` or `<provider>:<model>`: the agent's own, or the
                organisation's default (see `model_source`).
            model_source (LegacyModelSource): Where an agent's `model` comes from: its own setting (`agent`), or
                the organisation's `default_model` when it has none
                (`organization`).
            name (str):
            org_id (str):
            rag_strategy (LegacyRagStrategy): How an agent retrieves: `redwood` searches with the question as
                asked; `cedar` first rewrites it into a standalone question using
                the session; `cypress` expands it into several queries, retrieves
                wider, fuses and reranks.
            similarity_threshold (float): Retrieved chunks below this cosine similarity are not used; when none
                pass, the agent says it has no information.
            slug (str): Unique in the organisation; usable in place of the id by the CLI.
            status (LegacyAgentStatus): Whether an agent answers queries.
            system_prompt (str):
            temperature (float):
            updated_at (datetime.datetime):
            components (LegacyComponents | None | Unset):
            max_run_cost_usd (float | None | Unset): Estimated cost in USD one analyst run may reach.
            max_run_tokens (int | None | Unset): Tokens (input and output, every step) one analyst run may use.
     """

    active: bool
    created_at: datetime.datetime
    data_connector_ids: list[str]
    data_source_ids: list[str]
    description: str
    id: str
    max_steps: int
    max_tokens: int
    model: str
    model_source: LegacyModelSource
    name: str
    org_id: str
    rag_strategy: LegacyRagStrategy
    similarity_threshold: float
    slug: str
    status: LegacyAgentStatus
    system_prompt: str
    temperature: float
    updated_at: datetime.datetime
    components: LegacyComponents | None | Unset = UNSET
    max_run_cost_usd: float | None | Unset = UNSET
    max_run_tokens: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_components import LegacyComponents # noqa: PLC0415
        active = self.active

        created_at = self.created_at.isoformat()

        data_connector_ids = self.data_connector_ids



        data_source_ids = self.data_source_ids



        description = self.description

        id = self.id

        max_steps = self.max_steps

        max_tokens = self.max_tokens

        model = self.model

        model_source = self.model_source.value

        name = self.name

        org_id = self.org_id

        rag_strategy = self.rag_strategy.value

        similarity_threshold = self.similarity_threshold

        slug = self.slug

        status = self.status.value

        system_prompt = self.system_prompt

        temperature = self.temperature

        updated_at = self.updated_at.isoformat()

        components: dict[str, Any] | None | Unset
        if isinstance(self.components, Unset):
            components = UNSET
        elif isinstance(self.components, LegacyComponents):
            components = self.components.to_dict()
        else:
            components = self.components

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


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "active": active,
            "createdAt": created_at,
            "dataConnectorIds": data_connector_ids,
            "dataSourceIds": data_source_ids,
            "description": description,
            "id": id,
            "maxSteps": max_steps,
            "maxTokens": max_tokens,
            "model": model,
            "modelSource": model_source,
            "name": name,
            "orgId": org_id,
            "ragStrategy": rag_strategy,
            "similarityThreshold": similarity_threshold,
            "slug": slug,
            "status": status,
            "systemPrompt": system_prompt,
            "temperature": temperature,
            "updatedAt": updated_at,
        })
        if components is not UNSET:
            field_dict["components"] = components
        if max_run_cost_usd is not UNSET:
            field_dict["maxRunCostUsd"] = max_run_cost_usd
        if max_run_tokens is not UNSET:
            field_dict["maxRunTokens"] = max_run_tokens

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_components import LegacyComponents # noqa: PLC0415
        d = dict(src_dict)
        active = d.pop("active")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        data_connector_ids = cast(list[str], d.pop("dataConnectorIds"))


        data_source_ids = cast(list[str], d.pop("dataSourceIds"))


        description = d.pop("description")

        id = d.pop("id")

        max_steps = d.pop("maxSteps")

        max_tokens = d.pop("maxTokens")

        model = d.pop("model")

        model_source = LegacyModelSource(d.pop("modelSource"))




        name = d.pop("name")

        org_id = d.pop("orgId")

        rag_strategy = LegacyRagStrategy(d.pop("ragStrategy"))




        similarity_threshold = d.pop("similarityThreshold")

        slug = d.pop("slug")

        status = LegacyAgentStatus(d.pop("status"))




        system_prompt = d.pop("systemPrompt")

        temperature = d.pop("temperature")

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))




        def _parse_components(data: object) -> LegacyComponents | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                components_type_1 = LegacyComponents.from_dict(data)



                return components_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacyComponents | None | Unset, data)

        components = _parse_components(d.pop("components", UNSET))


        def _parse_max_run_cost_usd(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_run_cost_usd = _parse_max_run_cost_usd(d.pop("maxRunCostUsd", UNSET))


        def _parse_max_run_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_run_tokens = _parse_max_run_tokens(d.pop("maxRunTokens", UNSET))


        legacy_agent = cls(
            active=active,
            created_at=created_at,
            data_connector_ids=data_connector_ids,
            data_source_ids=data_source_ids,
            description=description,
            id=id,
            max_steps=max_steps,
            max_tokens=max_tokens,
            model=model,
            model_source=model_source,
            name=name,
            org_id=org_id,
            rag_strategy=rag_strategy,
            similarity_threshold=similarity_threshold,
            slug=slug,
            status=status,
            system_prompt=system_prompt,
            temperature=temperature,
            updated_at=updated_at,
            components=components,
            max_run_cost_usd=max_run_cost_usd,
            max_run_tokens=max_run_tokens,
        )


        legacy_agent.additional_properties = d
        return legacy_agent

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
