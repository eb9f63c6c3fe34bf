from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.legacy_document_kind import LegacyDocumentKind
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.legacy_chat_document_content import LegacyChatDocumentContent





T = TypeVar("T", bound="LegacyChatDocument")



@_attrs_define
class LegacyChatDocument:
    """ A document a chat produced.

        Attributes:
            content (LegacyChatDocumentContent):
            created_at (datetime.datetime):
            id (str):
            kind (LegacyDocumentKind): What a chat document holds: `table` (`{columns, rows}`), `chart`
                (`{spec, svg}`: a Vega-Lite spec and its server rendering) or `text`
                (`{text}`).
            title (str):
     """

    content: LegacyChatDocumentContent
    created_at: datetime.datetime
    id: str
    kind: LegacyDocumentKind
    title: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.legacy_chat_document_content import LegacyChatDocumentContent # noqa: PLC0415
        content = self.content.to_dict()

        created_at = self.created_at.isoformat()

        id = self.id

        kind = self.kind.value

        title = self.title


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "content": content,
            "createdAt": created_at,
            "id": id,
            "kind": kind,
            "title": title,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.legacy_chat_document_content import LegacyChatDocumentContent # noqa: PLC0415
        d = dict(src_dict)
        content = LegacyChatDocumentContent.from_dict(d.pop("content"))




        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        id = d.pop("id")

        kind = LegacyDocumentKind(d.pop("kind"))




        title = d.pop("title")

        legacy_chat_document = cls(
            content=content,
            created_at=created_at,
            id=id,
            kind=kind,
            title=title,
        )


        legacy_chat_document.additional_properties = d
        return legacy_chat_document

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
