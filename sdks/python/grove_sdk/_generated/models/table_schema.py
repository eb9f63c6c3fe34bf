from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.table_kind import TableKind
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.column import Column





T = TypeVar("T", bound="TableSchema")



@_attrs_define
class TableSchema:
    """ A table's columns, as `schema` and `describe_table` show them.

        Attributes:
            columns (list[Column]):
            dataset (str):
            kind (TableKind): Whether a relation is a base table or a view. Views are readable only
                when named in `allowed_tables`: a view in an allowed dataset may read
                tables outside it.
            name (str):
            row_estimate (int | None | Unset): The database's estimate (statistics), or an exact count where the
                database keeps none; null when unknown.
     """

    columns: list[Column]
    dataset: str
    kind: TableKind
    name: str
    row_estimate: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.column import Column # noqa: PLC0415
        columns = []
        for columns_item_data in self.columns:
            columns_item = columns_item_data.to_dict()
            columns.append(columns_item)



        dataset = self.dataset

        kind = self.kind.value

        name = self.name

        row_estimate: int | None | Unset
        if isinstance(self.row_estimate, Unset):
            row_estimate = UNSET
        else:
            row_estimate = self.row_estimate


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "columns": columns,
            "dataset": dataset,
            "kind": kind,
            "name": name,
        })
        if row_estimate is not UNSET:
            field_dict["row_estimate"] = row_estimate

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.column import Column # noqa: PLC0415
        d = dict(src_dict)
        columns = []
        _columns = d.pop("columns")
        for columns_item_data in (_columns):
            columns_item = Column.from_dict(columns_item_data)



            columns.append(columns_item)


        dataset = d.pop("dataset")

        kind = TableKind(d.pop("kind"))




        name = d.pop("name")

        def _parse_row_estimate(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        row_estimate = _parse_row_estimate(d.pop("row_estimate", UNSET))


        table_schema = cls(
            columns=columns,
            dataset=dataset,
            kind=kind,
            name=name,
            row_estimate=row_estimate,
        )


        table_schema.additional_properties = d
        return table_schema

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
