from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.channel_kind import ChannelKind
from ..models.notify_level import NotifyLevel
from ..models.notify_topic import NotifyTopic
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.create_notification_channel_body_config import CreateNotificationChannelBodyConfig





T = TypeVar("T", bound="CreateNotificationChannelBody")



@_attrs_define
class CreateNotificationChannelBody:
    """ A channel as created or updated. On create, `name`, `kind` and
    `config` are required; on update every field is optional (a new
    `kind` needs its `config`).

        Attributes:
            config (CreateNotificationChannelBodyConfig): `{"to": ["ann@example.com"]}` for email (1 to 50 addresses);
                `{"webhook_url": "https://…"}` for Slack and Teams.
            kind (ChannelKind): How a notification channel delivers.
            name (str):
            enabled (bool | None | Unset): Default true; a disabled channel gets nothing.
            min_level (None | NotifyLevel | Unset):
            topics (list[NotifyTopic] | None | Unset): What is sent (default both `completed_run` and `failed_run`).
     """

    config: CreateNotificationChannelBodyConfig
    kind: ChannelKind
    name: str
    enabled: bool | None | Unset = UNSET
    min_level: None | NotifyLevel | Unset = UNSET
    topics: list[NotifyTopic] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.create_notification_channel_body_config import CreateNotificationChannelBodyConfig # noqa: PLC0415
        config = self.config.to_dict()

        kind = self.kind.value

        name = self.name

        enabled: bool | None | Unset
        if isinstance(self.enabled, Unset):
            enabled = UNSET
        else:
            enabled = self.enabled

        min_level: None | str | Unset
        if isinstance(self.min_level, Unset):
            min_level = UNSET
        elif isinstance(self.min_level, NotifyLevel):
            min_level = self.min_level.value
        else:
            min_level = self.min_level

        topics: list[str] | None | Unset
        if isinstance(self.topics, Unset):
            topics = UNSET
        elif isinstance(self.topics, list):
            topics = []
            for topics_type_0_item_data in self.topics:
                topics_type_0_item = topics_type_0_item_data.value
                topics.append(topics_type_0_item)


        else:
            topics = self.topics


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "config": config,
            "kind": kind,
            "name": name,
        })
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if min_level is not UNSET:
            field_dict["min_level"] = min_level
        if topics is not UNSET:
            field_dict["topics"] = topics

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_notification_channel_body_config import CreateNotificationChannelBodyConfig # noqa: PLC0415
        d = dict(src_dict)
        config = CreateNotificationChannelBodyConfig.from_dict(d.pop("config"))




        kind = ChannelKind(d.pop("kind"))




        name = d.pop("name")

        def _parse_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enabled = _parse_enabled(d.pop("enabled", UNSET))


        def _parse_min_level(data: object) -> None | NotifyLevel | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                min_level_type_1 = NotifyLevel(data)



                return min_level_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | NotifyLevel | Unset, data)

        min_level = _parse_min_level(d.pop("min_level", UNSET))


        def _parse_topics(data: object) -> list[NotifyTopic] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                topics_type_0 = []
                _topics_type_0 = data
                for topics_type_0_item_data in (_topics_type_0):
                    topics_type_0_item = NotifyTopic(topics_type_0_item_data)



                    topics_type_0.append(topics_type_0_item)

                return topics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[NotifyTopic] | None | Unset, data)

        topics = _parse_topics(d.pop("topics", UNSET))


        create_notification_channel_body = cls(
            config=config,
            kind=kind,
            name=name,
            enabled=enabled,
            min_level=min_level,
            topics=topics,
        )

        return create_notification_channel_body

