from enum import StrEnum

class LegacyDocumentKind(StrEnum):
    CHART = "chart"
    REPORT = "report"
    TABLE = "table"
    TEXT = "text"

    def __str__(self) -> str:
        return str(self.value)
