from enum import StrEnum

class ModelSource(StrEnum):
    AGENT = "agent"
    ORGANIZATION = "organization"

    def __str__(self) -> str:
        return str(self.value)
