from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.connector_kind import ConnectorKind
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.create_data_connector_body_config import CreateDataConnectorBodyConfig





T = TypeVar("T", bound="CreateDataConnectorBody")



@_attrs_define
class CreateDataConnectorBody:
    """ A connector as created or updated. On create `name`, `type`, `config`
    and `allowed_datasets` are required (SQLite's defaults to `["main"]`);
    on update every field is optional (a new `type` needs its `config`).

        Attributes:
            config (CreateDataConnectorBodyConfig): `{"url": "postgres://user:password@host:5432/db"}` (PostgreSQL, and
                `mysql://…` for MySQL/MariaDB); `{"path": "/srv/shop.db"}` for SQLite.
            name (str):
            type_ (ConnectorKind): The database a connector speaks to.
            allowed_datasets (list[str] | None | Unset): Schemas (PostgreSQL), databases (MySQL), `main` (SQLite) or
                datasets
                (BigQuery) whose tables may be read.
            allowed_tables (list[str] | None | Unset): `dataset.table`: when set, only these tables and views are read.
            max_cost_usd (float | None | Unset): BigQuery: a query whose dry run costs more is refused.
            max_estimated_rows (int | None | Unset): PostgreSQL and MySQL: a query whose plan estimates more rows is
                refused.
            max_rows (int | None | Unset): Rows a query returns at most (default 1,000, at most 100,000).
            price_per_tib_usd (float | None | Unset): BigQuery's price per TiB scanned (default 6.25).
            timeout_seconds (int | None | Unset): Default 30, at most 3,600.
     """

    config: CreateDataConnectorBodyConfig
    name: str
    type_: ConnectorKind
    allowed_datasets: list[str] | None | Unset = UNSET
    allowed_tables: list[str] | None | Unset = UNSET
    max_cost_usd: float | None | Unset = UNSET
    max_estimated_rows: int | None | Unset = UNSET
    max_rows: int | None | Unset = UNSET
    price_per_tib_usd: float | None | Unset = UNSET
    timeout_seconds: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.create_data_connector_body_config import CreateDataConnectorBodyConfig # noqa: PLC0415
        config = self.config.to_dict()

        name = self.name

        type_ = self.type_.value

        allowed_datasets: list[str] | None | Unset
        if isinstance(self.allowed_datasets, Unset):
            allowed_datasets = UNSET
        elif isinstance(self.allowed_datasets, list):
            allowed_datasets = self.allowed_datasets


        else:
            allowed_datasets = self.allowed_datasets

        allowed_tables: list[str] | None | Unset
        if isinstance(self.allowed_tables, Unset):
            allowed_tables = UNSET
        elif isinstance(self.allowed_tables, list):
            allowed_tables = self.allowed_tables


        else:
            allowed_tables = self.allowed_tables

        max_cost_usd: float | None | Unset
        if isinstance(self.max_cost_usd, Unset):
            max_cost_usd = UNSET
        else:
            max_cost_usd = self.max_cost_usd

        max_estimated_rows: int | None | Unset
        if isinstance(self.max_estimated_rows, Unset):
            max_estimated_rows = UNSET
        else:
            max_estimated_rows = self.max_estimated_rows

        max_rows: int | None | Unset
        if isinstance(self.max_rows, Unset):
            max_rows = UNSET
        else:
            max_rows = self.max_rows

        price_per_tib_usd: float | None | Unset
        if isinstance(self.price_per_tib_usd, Unset):
            price_per_tib_usd = UNSET
        else:
            price_per_tib_usd = self.price_per_tib_usd

        timeout_seconds: int | None | Unset
        if isinstance(self.timeout_seconds, Unset):
            timeout_seconds = UNSET
        else:
            timeout_seconds = self.timeout_seconds


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "config": config,
            "name": name,
            "type": type_,
        })
        if allowed_datasets is not UNSET:
            field_dict["allowed_datasets"] = allowed_datasets
        if allowed_tables is not UNSET:
            field_dict["allowed_tables"] = allowed_tables
        if max_cost_usd is not UNSET:
            field_dict["max_cost_usd"] = max_cost_usd
        if max_estimated_rows is not UNSET:
            field_dict["max_estimated_rows"] = max_estimated_rows
        if max_rows is not UNSET:
            field_dict["max_rows"] = max_rows
        if price_per_tib_usd is not UNSET:
            field_dict["price_per_tib_usd"] = price_per_tib_usd
        if timeout_seconds is not UNSET:
            field_dict["timeout_seconds"] = timeout_seconds

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_data_connector_body_config import CreateDataConnectorBodyConfig # noqa: PLC0415
        d = dict(src_dict)
        config = CreateDataConnectorBodyConfig.from_dict(d.pop("config"))




        name = d.pop("name")

        type_ = ConnectorKind(d.pop("type"))




        def _parse_allowed_datasets(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                allowed_datasets_type_0 = cast(list[str], data)

                return allowed_datasets_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        allowed_datasets = _parse_allowed_datasets(d.pop("allowed_datasets", UNSET))


        def _parse_allowed_tables(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                allowed_tables_type_0 = cast(list[str], data)

                return allowed_tables_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        allowed_tables = _parse_allowed_tables(d.pop("allowed_tables", UNSET))


        def _parse_max_cost_usd(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_cost_usd = _parse_max_cost_usd(d.pop("max_cost_usd", UNSET))


        def _parse_max_estimated_rows(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_estimated_rows = _parse_max_estimated_rows(d.pop("max_estimated_rows", UNSET))


        def _parse_max_rows(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_rows = _parse_max_rows(d.pop("max_rows", UNSET))


        def _parse_price_per_tib_usd(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        price_per_tib_usd = _parse_price_per_tib_usd(d.pop("price_per_tib_usd", UNSET))


        def _parse_timeout_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        timeout_seconds = _parse_timeout_seconds(d.pop("timeout_seconds", UNSET))


        create_data_connector_body = cls(
            config=config,
            name=name,
            type_=type_,
            allowed_datasets=allowed_datasets,
            allowed_tables=allowed_tables,
            max_cost_usd=max_cost_usd,
            max_estimated_rows=max_estimated_rows,
            max_rows=max_rows,
            price_per_tib_usd=price_per_tib_usd,
            timeout_seconds=timeout_seconds,
        )

        return create_data_connector_body

