from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.review_status import ReviewStatus
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ReviewBody")



@_attrs_define
class ReviewBody:
    """ A review. Giving `edited_answer` sets the status `edited` (another
    status with it is a 400); `edited` alone needs an edited answer given
    before.

        Attributes:
            edited_answer (None | str | Unset): The corrected answer, 1 to 20,000 characters.
            review_status (None | ReviewStatus | Unset):
     """

    edited_answer: None | str | Unset = UNSET
    review_status: None | ReviewStatus | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        edited_answer: None | str | Unset
        if isinstance(self.edited_answer, Unset):
            edited_answer = UNSET
        else:
            edited_answer = self.edited_answer

        review_status: None | str | Unset
        if isinstance(self.review_status, Unset):
            review_status = UNSET
        elif isinstance(self.review_status, ReviewStatus):
            review_status = self.review_status.value
        else:
            review_status = self.review_status


        field_dict: dict[str, Any] = {}

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
        def _parse_edited_answer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        edited_answer = _parse_edited_answer(d.pop("edited_answer", UNSET))


        def _parse_review_status(data: object) -> None | ReviewStatus | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                review_status_type_1 = ReviewStatus(data)



                return review_status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReviewStatus | Unset, data)

        review_status = _parse_review_status(d.pop("review_status", UNSET))


        review_body = cls(
            edited_answer=edited_answer,
            review_status=review_status,
        )

        return review_body

