from enum import StrEnum

class SourceKind(StrEnum):
    CONFLUENCE = "confluence"
    FILE = "file"
    GOOGLE_DRIVE = "google_drive"
    KB = "kb"
    SHAREPOINT = "sharepoint"
    SLACK = "slack"
    WEBSITE = "website"

    def __str__(self) -> str:
        return str(self.value)
