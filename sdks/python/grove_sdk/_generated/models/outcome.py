from enum import StrEnum

class Outcome(StrEnum):
    ANSWERED = "answered"
    CANCELLED = "cancelled"
    FAILED = "failed"
    NO_ANSWER = "no_answer"

    def __str__(self) -> str:
        return str(self.value)
