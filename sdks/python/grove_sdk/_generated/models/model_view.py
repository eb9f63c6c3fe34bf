from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.model_details import ModelDetails





T = TypeVar("T", bound="ModelView")



@_attrs_define
class ModelView:
    """ An agent as OpenAI lists a model.

        Attributes:
            created (int): When the agent was created, in Unix seconds.
            grove (ModelDetails):
            id (str): The agent's slug.
            object_ (str): Always `model`.
            owned_by (str): Always `grove`.
     """

    created: int
    grove: ModelDetails
    id: str
    object_: str
    owned_by: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.model_details import ModelDetails # noqa: PLC0415
        created = self.created

        grove = self.grove.to_dict()

        id = self.id

        object_ = self.object_

        owned_by = self.owned_by


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created": created,
            "grove": grove,
            "id": id,
            "object": object_,
            "owned_by": owned_by,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_details import ModelDetails # noqa: PLC0415
        d = dict(src_dict)
        created = d.pop("created")

        grove = ModelDetails.from_dict(d.pop("grove"))




        id = d.pop("id")

        object_ = d.pop("object")

        owned_by = d.pop("owned_by")

        model_view = cls(
            created=created,
            grove=grove,
            id=id,
            object_=object_,
            owned_by=owned_by,
        )


        model_view.additional_properties = d
        return model_view

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
