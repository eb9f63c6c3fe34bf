from enum import StrEnum

class LegacyRagStrategy(StrEnum):
    CEDAR = "cedar"
    CYPRESS = "cypress"
    REDWOOD = "redwood"

    def __str__(self) -> str:
        return str(self.value)
