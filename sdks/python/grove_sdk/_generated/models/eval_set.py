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
  from ..models.eval_item import EvalItem





T = TypeVar("T", bound="EvalSet")



@_attrs_define
class EvalSet:
    """ An eval set. Lists leave out `items`; `item_count` is always there.

        Attributes:
            created_at (datetime.datetime):
            description (str):
            id (str):
            item_count (int):
            name (str):
            org_id (str):
            updated_at (datetime.datetime):
            items (list[EvalItem] | None | Unset):
     """

    created_at: datetime.datetime
    description: str
    id: str
    item_count: int
    name: str
    org_id: str
    updated_at: datetime.datetime
    items: list[EvalItem] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_item import EvalItem # noqa: PLC0415
        created_at = self.created_at.isoformat()

        description = self.description

        id = self.id

        item_count = self.item_count

        name = self.name

        org_id = self.org_id

        updated_at = self.updated_at.isoformat()

        items: list[dict[str, Any]] | None | Unset
        if isinstance(self.items, Unset):
            items = UNSET
        elif isinstance(self.items, list):
            items = []
            for items_type_0_item_data in self.items:
                items_type_0_item = items_type_0_item_data.to_dict()
                items.append(items_type_0_item)


        else:
            items = self.items


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "description": description,
            "id": id,
            "item_count": item_count,
            "name": name,
            "org_id": org_id,
            "updated_at": updated_at,
        })
        if items is not UNSET:
            field_dict["items"] = items

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_item import EvalItem # noqa: PLC0415
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        description = d.pop("description")

        id = d.pop("id")

        item_count = d.pop("item_count")

        name = d.pop("name")

        org_id = d.pop("org_id")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        def _parse_items(data: object) -> list[EvalItem] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                items_type_0 = []
                _items_type_0 = data
                for items_type_0_item_data in (_items_type_0):
                    items_type_0_item = EvalItem.from_dict(items_type_0_item_data)



                    items_type_0.append(items_type_0_item)

                return items_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[EvalItem] | None | Unset, data)

        items = _parse_items(d.pop("items", UNSET))


        eval_set = cls(
            created_at=created_at,
            description=description,
            id=id,
            item_count=item_count,
            name=name,
            org_id=org_id,
            updated_at=updated_at,
            items=items,
        )


        eval_set.additional_properties = d
        return eval_set

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
