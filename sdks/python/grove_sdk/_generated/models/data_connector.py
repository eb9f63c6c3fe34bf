from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.connector_kind import ConnectorKind
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.data_connector_config import DataConnectorConfig





T = TypeVar("T", bound="DataConnector")



@_attrs_define
class DataConnector:
    """ A data connector as stored (credentials sealed) or shown (masked).

        Attributes:
            allowed_datasets (list[str]): Schemas (PostgreSQL), databases (MySQL), `main` (SQLite) or datasets
                (BigQuery) whose tables may be read.
            allowed_tables (list[str]): `dataset.table`; when set, only these tables (and views) are read.
            config (DataConnectorConfig): Type-specific settings; credentials are masked in answers.
            created_at (datetime.datetime):
            id (str):
            max_rows (int):
            name (str):
            org_id (str):
            price_per_tib_usd (float):
            timeout_seconds (int):
            type_ (ConnectorKind): The database a connector speaks to.
            updated_at (datetime.datetime):
            max_cost_usd (float | None | Unset): BigQuery: a query whose dry run estimates more is refused.
            max_estimated_rows (int | None | Unset): PostgreSQL and MySQL: a query whose plan estimates more rows is
                refused.
     """

    allowed_datasets: list[str]
    allowed_tables: list[str]
    config: DataConnectorConfig
    created_at: datetime.datetime
    id: str
    max_rows: int
    name: str
    org_id: str
    price_per_tib_usd: float
    timeout_seconds: int
    type_: ConnectorKind
    updated_at: datetime.datetime
    max_cost_usd: float | None | Unset = UNSET
    max_estimated_rows: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.data_connector_config import DataConnectorConfig # noqa: PLC0415
        allowed_datasets = self.allowed_datasets



        allowed_tables = self.allowed_tables



        config = self.config.to_dict()

        created_at = self.created_at.isoformat()

        id = self.id

        max_rows = self.max_rows

        name = self.name

        org_id = self.org_id

        price_per_tib_usd = self.price_per_tib_usd

        timeout_seconds = self.timeout_seconds

        type_ = self.type_.value

        updated_at = self.updated_at.isoformat()

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


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "allowed_datasets": allowed_datasets,
            "allowed_tables": allowed_tables,
            "config": config,
            "created_at": created_at,
            "id": id,
            "max_rows": max_rows,
            "name": name,
            "org_id": org_id,
            "price_per_tib_usd": price_per_tib_usd,
            "timeout_seconds": timeout_seconds,
            "type": type_,
            "updated_at": updated_at,
        })
        if max_cost_usd is not UNSET:
            field_dict["max_cost_usd"] = max_cost_usd
        if max_estimated_rows is not UNSET:
            field_dict["max_estimated_rows"] = max_estimated_rows

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_connector_config import DataConnectorConfig # noqa: PLC0415
        d = dict(src_dict)
        allowed_datasets = cast(list[str], d.pop("allowed_datasets"))


        allowed_tables = cast(list[str], d.pop("allowed_tables"))


        config = DataConnectorConfig.from_dict(d.pop("config"))




        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        id = d.pop("id")

        max_rows = d.pop("max_rows")

        name = d.pop("name")

        org_id = d.pop("org_id")

        price_per_tib_usd = d.pop("price_per_tib_usd")

        timeout_seconds = d.pop("timeout_seconds")

        type_ = ConnectorKind(d.pop("type"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




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


        data_connector = cls(
            allowed_datasets=allowed_datasets,
            allowed_tables=allowed_tables,
            config=config,
            created_at=created_at,
            id=id,
            max_rows=max_rows,
            name=name,
            org_id=org_id,
            price_per_tib_usd=price_per_tib_usd,
            timeout_seconds=timeout_seconds,
            type_=type_,
            updated_at=updated_at,
            max_cost_usd=max_cost_usd,
            max_estimated_rows=max_estimated_rows,
        )


        data_connector.additional_properties = d
        return data_connector

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
