from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.component import Component





T = TypeVar("T", bound="Components")



@_attrs_define
class Components:
    """ An analyst agent split into components: the orchestrating loop calls a
    `query` component (schema, SQL, results) and an `analysis` component
    (trends, charts, report) as tools, each running its own loop.

        Attributes:
            analysis (Component | Unset): One part of an analyst agent that runs its own tool loop.
            query (Component | Unset): One part of an analyst agent that runs its own tool loop.
     """

    analysis: Component | Unset = UNSET
    query: Component | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.component import Component # noqa: PLC0415
        analysis: dict[str, Any] | Unset = UNSET
        if not isinstance(self.analysis, Unset):
            analysis = self.analysis.to_dict()

        query: dict[str, Any] | Unset = UNSET
        if not isinstance(self.query, Unset):
            query = self.query.to_dict()


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if analysis is not UNSET:
            field_dict["analysis"] = analysis
        if query is not UNSET:
            field_dict["query"] = query

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.component import Component # noqa: PLC0415
        d = dict(src_dict)
        _analysis = d.pop("analysis", UNSET)
        analysis: Component | Unset
        if isinstance(_analysis,  Unset):
            analysis = UNSET
        else:
            analysis = Component.from_dict(_analysis)




        _query = d.pop("query", UNSET)
        query: Component | Unset
        if isinstance(_query,  Unset):
            query = UNSET
        else:
            query = Component.from_dict(_query)




        components = cls(
            analysis=analysis,
            query=query,
        )

        return components

