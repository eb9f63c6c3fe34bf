from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.legacy_ai_agent_manager import LegacyAiAgentManager





T = TypeVar("T", bound="LegacyAiAgentManagerList")



@_attrs_define
class LegacyAiAgentManagerList:
    """ 
        Attributes:
            agents (list[LegacyAiAgentManager]):
            limit (int):
            offset (int):
            total (int):
     """

    agents: list[LegacyAiAgentManager]
    limit: int
    offset: int
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_ai_agent_manager import LegacyAiAgentManager # noqa: PLC0415
        agents = []
        for agents_item_data in self.agents:
            agents_item = agents_item_data.to_dict()
            agents.append(agents_item)



        limit = self.limit

        offset = self.offset

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agents": agents,
            "limit": limit,
            "offset": offset,
            "total": total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_ai_agent_manager import LegacyAiAgentManager # noqa: PLC0415
        d = dict(src_dict)
        agents = []
        _agents = d.pop("agents")
        for agents_item_data in (_agents):
            agents_item = LegacyAiAgentManager.from_dict(agents_item_data)



            agents.append(agents_item)


        limit = d.pop("limit")

        offset = d.pop("offset")

        total = d.pop("total")

        legacy_ai_agent_manager_list = cls(
            agents=agents,
            limit=limit,
            offset=offset,
            total=total,
        )


        legacy_ai_agent_manager_list.additional_properties = d
        return legacy_ai_agent_manager_list

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
