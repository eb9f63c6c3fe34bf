from enum import StrEnum

class LegacyInitiator(StrEnum):
    API = "api"
    MANUAL = "manual"
    SCHEDULE = "schedule"

    def __str__(self) -> str:
        return str(self.value)
