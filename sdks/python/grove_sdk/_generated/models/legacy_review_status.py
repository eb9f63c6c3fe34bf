from enum import StrEnum

class LegacyReviewStatus(StrEnum):
    ACCURATE = "accurate"
    EDITED = "edited"
    INACCURATE = "inaccurate"
    NOT_REVIEWED = "not_reviewed"
    NO_ANSWER = "no_answer"

    def __str__(self) -> str:
        return str(self.value)
