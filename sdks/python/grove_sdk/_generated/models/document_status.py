from enum import StrEnum

class DocumentStatus(StrEnum):
    FAILED = "failed"
    INDEXED = "indexed"
    SKIPPED = "skipped"

    def __str__(self) -> str:
        return str(self.value)
