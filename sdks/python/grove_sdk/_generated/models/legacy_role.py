from enum import StrEnum

class LegacyRole(StrEnum):
    ADMIN = "admin"
    CONFIGURE = "configure"
    READONLY = "readonly"
    TRAIN = "train"

    def __str__(self) -> str:
        return str(self.value)
