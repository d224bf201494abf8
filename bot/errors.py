"""The BotError family: errors that carry the message the person in Slack (or on the CLI) sees."""


class BotError(Exception):
    """An error whose message is safe and useful to show to the user as it is."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InputError(BotError):
    """Something the user typed is not in the accepted form; the message names the field."""

    def __init__(self, field: str, problem: str, accepted: str | None = None):
        text = f"`{field}`: {problem}"
        if accepted:
            text += f" — use {accepted}"
        super().__init__(text)
        self.field = field


class NotFound(BotError):
    """A campaign, influencer or code the user named does not exist in this workspace."""


class Conflict(BotError):
    """The change would break a uniqueness or consistency rule (duplicate name, overlapping code)."""


class Forbidden(BotError):
    """The user may not run this changing command (ROI_ADMINS)."""


class ConfigError(BotError):
    """Settings are missing or malformed; raised at start-up, before anything runs."""
