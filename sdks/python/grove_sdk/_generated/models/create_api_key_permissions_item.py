from enum import StrEnum

class CreateApiKeyPermissionsItem(StrEnum):
    AGENT_JOBS_TRIGGER = "agent_jobs_trigger"

    def __str__(self) -> str:
        return str(self.value)
