from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="LegacyLegacyFeedbackRequest")



@_attrs_define
class LegacyLegacyFeedbackRequest:
    """ 
        Attributes:
            interaction_id (str):
            rating (int): 1 to 5: 4 and 5 count as positive, 1 to 3 as negative.
            comment (None | str | Unset):
     """

    interaction_id: str
    rating: int
    comment: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        interaction_id = self.interaction_id

        rating = self.rating

        comment: None | str | Unset
        if isinstance(self.comment, Unset):
            comment = UNSET
        else:
            comment = self.comment


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "interactionId": interaction_id,
            "rating": rating,
        })
        if comment is not UNSET:
            field_dict["comment"] = comment

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        interaction_id = d.pop("interactionId")

        rating = d.pop("rating")

        def _parse_comment(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        comment = _parse_comment(d.pop("comment", UNSET))


        legacy_legacy_feedback_request = cls(
            interaction_id=interaction_id,
            rating=rating,
            comment=comment,
        )

        return legacy_legacy_feedback_request

