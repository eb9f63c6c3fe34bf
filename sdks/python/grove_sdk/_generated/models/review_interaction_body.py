from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.review_status import ReviewStatus
from ..types import UNSET, Unset






T = TypeVar("T", bound="ReviewInteractionBody")



@_attrs_define
class ReviewInteractionBody:
    """ 
        Attributes:
            edited_answer (str | Unset): The corrected answer, 1 to 20,000 characters.
            review_status (ReviewStatus | Unset): Where an answer is in the review inbox: `not_reviewed` until a
                reviewer marks it `accurate`, `inaccurate` or `no_answer` (nothing
                could have answered it), or `edited` with a corrected answer.
     """

    edited_answer: str | Unset = UNSET
    review_status: ReviewStatus | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        edited_answer = self.edited_answer

        review_status: str | Unset = UNSET
        if not isinstance(self.review_status, Unset):
            review_status = self.review_status.value



        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if edited_answer is not UNSET:
            field_dict["edited_answer"] = edited_answer
        if review_status is not UNSET:
            field_dict["review_status"] = review_status

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        edited_answer = d.pop("edited_answer", UNSET)

        _review_status = d.pop("review_status", UNSET)
        review_status: ReviewStatus | Unset
        if isinstance(_review_status,  Unset):
            review_status = UNSET
        else:
            review_status = ReviewStatus(_review_status)




        review_interaction_body = cls(
            edited_answer=edited_answer,
            review_status=review_status,
        )


        review_interaction_body.additional_properties = d
        return review_interaction_body

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
