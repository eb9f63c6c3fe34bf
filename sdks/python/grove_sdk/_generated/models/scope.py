from enum import StrEnum

class Scope(StrEnum):
    ADMIN = "admin"
    EXECUTE = "execute"
    READ = "read"
    WRITE = "write"

    def __str__(self) -> str:
        return str(self.value)
