from enum import StrEnum

class ConnectorKind(StrEnum):
    BIGQUERY = "bigquery"
    MYSQL = "mysql"
    POSTGRES = "postgres"
    SQLITE = "sqlite"

    def __str__(self) -> str:
        return str(self.value)
