from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.feedback import Feedback
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="FeedbackRequest")



@_attrs_define
class FeedbackRequest:
    """ 
        Attributes:
            feedback (Feedback): A user's verdict on an answer.
            comment (None | str | Unset):
     """

    feedback: Feedback
    comment: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        feedback = self.feedback.value

        comment: None | str | Unset
        if isinstance(self.comment, Unset):
            comment = UNSET
        else:
            comment = self.comment


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "feedback": feedback,
        })
        if comment is not UNSET:
            field_dict["comment"] = comment

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        feedback = Feedback(d.pop("feedback"))




        def _parse_comment(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        comment = _parse_comment(d.pop("comment", UNSET))


        feedback_request = cls(
            feedback=feedback,
            comment=comment,
        )

        return feedback_request

