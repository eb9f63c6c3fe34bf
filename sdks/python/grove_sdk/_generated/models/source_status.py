from enum import StrEnum

class SourceStatus(StrEnum):
    ACTIVE = "active"
    FAILED = "failed"
    PENDING = "pending"
    PROCESSING = "processing"

    def __str__(self) -> str:
        return str(self.value)
