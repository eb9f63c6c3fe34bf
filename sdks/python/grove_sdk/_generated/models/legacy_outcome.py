from enum import StrEnum

class LegacyOutcome(StrEnum):
    ANSWERED = "answered"
    CANCELLED = "cancelled"
    FAILED = "failed"
    NO_ANSWER = "no_answer"

    def __str__(self) -> str:
        return str(self.value)
