from enum import StrEnum

class ChartType(StrEnum):
    AREA = "area"
    BAR = "bar"
    LINE = "line"
    POINT = "point"

    def __str__(self) -> str:
        return str(self.value)
