from enum import StrEnum

class TableKind(StrEnum):
    TABLE = "table"
    VIEW = "view"

    def __str__(self) -> str:
        return str(self.value)
