from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.eval_item_body import EvalItemBody





T = TypeVar("T", bound="CreateEvalSetBody")



@_attrs_define
class CreateEvalSetBody:
    """ An eval set as created (`name` and `items` required) or updated (every
    field optional; those given replace the stored ones).

        Attributes:
            items (list[EvalItemBody]): 1 to 500 items.
            name (str):
            description (None | str | Unset):
     """

    items: list[EvalItemBody]
    name: str
    description: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.eval_item_body import EvalItemBody # noqa: PLC0415
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)



        name = self.name

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "items": items,
            "name": name,
        })
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.eval_item_body import EvalItemBody # noqa: PLC0415
        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in (_items):
            items_item = EvalItemBody.from_dict(items_item_data)



            items.append(items_item)


        name = d.pop("name")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        create_eval_set_body = cls(
            items=items,
            name=name,
            description=description,
        )

        return create_eval_set_body

