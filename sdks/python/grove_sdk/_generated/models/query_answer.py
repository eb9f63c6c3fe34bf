from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.column import Column





T = TypeVar("T", bound="QueryAnswer")



@_attrs_define
class QueryAnswer:
    """ What a query answered; the whole result is kept under `result_id`.

        Attributes:
            columns (list[Column]):
            elapsed_ms (float):
            result_id (str):
            row_count (int):
            rows (list[list[Any]]):
            truncated (bool):
            bytes_processed (int | None | Unset):
            estimated_cost_usd (float | None | Unset):
     """

    columns: list[Column]
    elapsed_ms: float
    result_id: str
    row_count: int
    rows: list[list[Any]]
    truncated: bool
    bytes_processed: int | None | Unset = UNSET
    estimated_cost_usd: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.column import Column # noqa: PLC0415
        columns = []
        for columns_item_data in self.columns:
            columns_item = columns_item_data.to_dict()
            columns.append(columns_item)



        elapsed_ms = self.elapsed_ms

        result_id = self.result_id

        row_count = self.row_count

        rows = []
        for rows_item_data in self.rows:
            rows_item = rows_item_data


            rows.append(rows_item)



        truncated = self.truncated

        bytes_processed: int | None | Unset
        if isinstance(self.bytes_processed, Unset):
            bytes_processed = UNSET
        else:
            bytes_processed = self.bytes_processed

        estimated_cost_usd: float | None | Unset
        if isinstance(self.estimated_cost_usd, Unset):
            estimated_cost_usd = UNSET
        else:
            estimated_cost_usd = self.estimated_cost_usd


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "columns": columns,
            "elapsed_ms": elapsed_ms,
            "result_id": result_id,
            "row_count": row_count,
            "rows": rows,
            "truncated": truncated,
        })
        if bytes_processed is not UNSET:
            field_dict["bytes_processed"] = bytes_processed
        if estimated_cost_usd is not UNSET:
            field_dict["estimated_cost_usd"] = estimated_cost_usd

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


        elapsed_ms = d.pop("elapsed_ms")

        result_id = d.pop("result_id")

        row_count = d.pop("row_count")

        rows = []
        _rows = d.pop("rows")
        for rows_item_data in (_rows):
            rows_item = cast(list[Any], rows_item_data)

            rows.append(rows_item)


        truncated = d.pop("truncated")

        def _parse_bytes_processed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        bytes_processed = _parse_bytes_processed(d.pop("bytes_processed", UNSET))


        def _parse_estimated_cost_usd(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        estimated_cost_usd = _parse_estimated_cost_usd(d.pop("estimated_cost_usd", UNSET))


        query_answer = cls(
            columns=columns,
            elapsed_ms=elapsed_ms,
            result_id=result_id,
            row_count=row_count,
            rows=rows,
            truncated=truncated,
            bytes_processed=bytes_processed,
            estimated_cost_usd=estimated_cost_usd,
        )


        query_answer.additional_properties = d
        return query_answer

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
