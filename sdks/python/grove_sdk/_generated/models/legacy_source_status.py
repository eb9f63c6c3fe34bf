from enum import StrEnum

class LegacySourceStatus(StrEnum):
    ACTIVE = "active"
    FAILED = "failed"
    PENDING = "pending"
    PROCESSING = "processing"

    def __str__(self) -> str:
        return str(self.value)
