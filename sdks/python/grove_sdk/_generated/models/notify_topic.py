from enum import StrEnum

class NotifyTopic(StrEnum):
    COMPLETED_RUN = "completed_run"
    FAILED_RUN = "failed_run"

    def __str__(self) -> str:
        return str(self.value)
