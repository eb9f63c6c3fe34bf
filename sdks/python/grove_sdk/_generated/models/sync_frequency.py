from enum import StrEnum

class SyncFrequency(StrEnum):
    DAILY = "daily"
    HOURLY = "hourly"
    MANUAL = "manual"
    WEEKLY = "weekly"

    def __str__(self) -> str:
        return str(self.value)
