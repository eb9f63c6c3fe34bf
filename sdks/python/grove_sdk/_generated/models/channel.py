from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.channel_kind import ChannelKind
from ..models.notify_level import NotifyLevel
from ..models.notify_topic import NotifyTopic
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.channel_config import ChannelConfig





T = TypeVar("T", bound="Channel")



@_attrs_define
class Channel:
    """ Where job notifications go. `config` holds `{to: [..]}` for email and
    `{webhook_url}` for Slack and Teams.

        Attributes:
            config (ChannelConfig):
            created_at (datetime.datetime):
            enabled (bool):
            id (str):
            kind (ChannelKind): How a notification channel delivers.
            min_level (NotifyLevel): How serious a notification is: a succeeded run is `info`, a
                cancelled one `warning`, a failed or timed-out one `error`.
            name (str):
            org_id (str):
            topics (list[NotifyTopic]):
            updated_at (datetime.datetime):
     """

    config: ChannelConfig
    created_at: datetime.datetime
    enabled: bool
    id: str
    kind: ChannelKind
    min_level: NotifyLevel
    name: str
    org_id: str
    topics: list[NotifyTopic]
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.channel_config import ChannelConfig # noqa: PLC0415
        config = self.config.to_dict()

        created_at = self.created_at.isoformat()

        enabled = self.enabled

        id = self.id

        kind = self.kind.value

        min_level = self.min_level.value

        name = self.name

        org_id = self.org_id

        topics = []
        for topics_item_data in self.topics:
            topics_item = topics_item_data.value
            topics.append(topics_item)



        updated_at = self.updated_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "config": config,
            "created_at": created_at,
            "enabled": enabled,
            "id": id,
            "kind": kind,
            "min_level": min_level,
            "name": name,
            "org_id": org_id,
            "topics": topics,
            "updated_at": updated_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.channel_config import ChannelConfig # noqa: PLC0415
        d = dict(src_dict)
        config = ChannelConfig.from_dict(d.pop("config"))




        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        enabled = d.pop("enabled")

        id = d.pop("id")

        kind = ChannelKind(d.pop("kind"))




        min_level = NotifyLevel(d.pop("min_level"))




        name = d.pop("name")

        org_id = d.pop("org_id")

        topics = []
        _topics = d.pop("topics")
        for topics_item_data in (_topics):
            topics_item = NotifyTopic(topics_item_data)



            topics.append(topics_item)


        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        channel = cls(
            config=config,
            created_at=created_at,
            enabled=enabled,
            id=id,
            kind=kind,
            min_level=min_level,
            name=name,
            org_id=org_id,
            topics=topics,
            updated_at=updated_at,
        )


        channel.additional_properties = d
        return channel

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
