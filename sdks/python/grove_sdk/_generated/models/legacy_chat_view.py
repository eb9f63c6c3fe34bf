from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_run_status import LegacyRunStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.legacy_chat_document import LegacyChatDocument
  from ..models.legacy_chat_message import LegacyChatMessage
  from ..models.legacy_model_usage import LegacyModelUsage
  from ..models.legacy_run import LegacyRun





T = TypeVar("T", bound="LegacyChatView")



@_attrs_define
class LegacyChatView:
    """ A chat with its messages, documents and run.

        Attributes:
            agent_id (str):
            created_at (datetime.datetime):
            documents (list[LegacyChatDocument]):
            id (str):
            messages (list[LegacyChatMessage]): Oldest first.
            title (str):
            usage (LegacyModelUsage): Tokens used and their estimated cost.
            job_id (None | str | Unset):
            run (LegacyRun | None | Unset):
            run_id (None | str | Unset):
            status (LegacyRunStatus | None | Unset):
     """

    agent_id: str
    created_at: datetime.datetime
    documents: list[LegacyChatDocument]
    id: str
    messages: list[LegacyChatMessage]
    title: str
    usage: LegacyModelUsage
    job_id: None | str | Unset = UNSET
    run: LegacyRun | None | Unset = UNSET
    run_id: None | str | Unset = UNSET
    status: LegacyRunStatus | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_chat_document import LegacyChatDocument # noqa: PLC0415
        from ..models.legacy_chat_message import LegacyChatMessage # noqa: PLC0415
        from ..models.legacy_model_usage import LegacyModelUsage # noqa: PLC0415
        from ..models.legacy_run import LegacyRun # noqa: PLC0415
        agent_id = self.agent_id

        created_at = self.created_at.isoformat()

        documents = []
        for documents_item_data in self.documents:
            documents_item = documents_item_data.to_dict()
            documents.append(documents_item)



        id = self.id

        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)



        title = self.title

        usage = self.usage.to_dict()

        job_id: None | str | Unset
        if isinstance(self.job_id, Unset):
            job_id = UNSET
        else:
            job_id = self.job_id

        run: dict[str, Any] | None | Unset
        if isinstance(self.run, Unset):
            run = UNSET
        elif isinstance(self.run, LegacyRun):
            run = self.run.to_dict()
        else:
            run = self.run

        run_id: None | str | Unset
        if isinstance(self.run_id, Unset):
            run_id = UNSET
        else:
            run_id = self.run_id

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, LegacyRunStatus):
            status = self.status.value
        else:
            status = self.status


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agentId": agent_id,
            "createdAt": created_at,
            "documents": documents,
            "id": id,
            "messages": messages,
            "title": title,
            "usage": usage,
        })
        if job_id is not UNSET:
            field_dict["jobId"] = job_id
        if run is not UNSET:
            field_dict["run"] = run
        if run_id is not UNSET:
            field_dict["runId"] = run_id
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_chat_document import LegacyChatDocument # noqa: PLC0415
        from ..models.legacy_chat_message import LegacyChatMessage # noqa: PLC0415
        from ..models.legacy_model_usage import LegacyModelUsage # noqa: PLC0415
        from ..models.legacy_run import LegacyRun # noqa: PLC0415
        d = dict(src_dict)
        agent_id = d.pop("agentId")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        documents = []
        _documents = d.pop("documents")
        for documents_item_data in (_documents):
            documents_item = LegacyChatDocument.from_dict(documents_item_data)



            documents.append(documents_item)


        id = d.pop("id")

        messages = []
        _messages = d.pop("messages")
        for messages_item_data in (_messages):
            messages_item = LegacyChatMessage.from_dict(messages_item_data)



            messages.append(messages_item)


        title = d.pop("title")

        usage = LegacyModelUsage.from_dict(d.pop("usage"))




        def _parse_job_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        job_id = _parse_job_id(d.pop("jobId", UNSET))


        def _parse_run(data: object) -> LegacyRun | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                run_type_1 = LegacyRun.from_dict(data)



                return run_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacyRun | None | Unset, data)

        run = _parse_run(d.pop("run", UNSET))


        def _parse_run_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        run_id = _parse_run_id(d.pop("runId", UNSET))


        def _parse_status(data: object) -> LegacyRunStatus | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_1 = LegacyRunStatus(data)



                return status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LegacyRunStatus | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))


        legacy_chat_view = cls(
            agent_id=agent_id,
            created_at=created_at,
            documents=documents,
            id=id,
            messages=messages,
            title=title,
            usage=usage,
            job_id=job_id,
            run=run,
            run_id=run_id,
            status=status,
        )


        legacy_chat_view.additional_properties = d
        return legacy_chat_view

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
