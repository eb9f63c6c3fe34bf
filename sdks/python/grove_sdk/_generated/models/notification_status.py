from enum import StrEnum

class NotificationStatus(StrEnum):
    DELIVERED = "delivered"
    DROPPED = "dropped"
    FAILED = "failed"
    PENDING = "pending"

    def __str__(self) -> str:
        return str(self.value)
