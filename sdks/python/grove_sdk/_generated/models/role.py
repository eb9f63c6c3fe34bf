from enum import StrEnum

class Role(StrEnum):
    ADMIN = "admin"
    CONFIGURE = "configure"
    READONLY = "readonly"
    TRAIN = "train"

    def __str__(self) -> str:
        return str(self.value)
