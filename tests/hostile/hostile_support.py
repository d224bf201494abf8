"""What the hostile-input suites share: the corpus of nasty inputs kept in `corpus/`, one hypothesis profile
(deterministic, no example database written), and the checks every answer to hostile input must pass.

Imported as `hostile.hostile_support` (tests/ is on the path, tests/hostile is a namespace package)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, settings

from bot.fakeslack.driver import Answer, message_text
from bot.models import Base
from bot.values import esc
from slackschema import assert_valid_message

CORPUS = Path(__file__).parent / "corpus"
CSV_CORPUS = sorted((CORPUS / "csv").glob("*.csv"))

# Deterministic in CI (derandomize), nothing written to .hypothesis/ (database=None). The app, the stand-in and the
# database are built once per test function and shared by its examples, which is what the health check warns of.
FUZZ = settings(deadline=None, derandomize=True, database=None, print_blob=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])
# Examples that each run requests through the app and dump the database: fewer, to keep the suite under a minute.
FUZZ_APP = settings(FUZZ, max_examples=50)

INTERNAL = "Something went wrong on our side"
REFUSED = ":warning:"
# An InputError's message starts with the field in backticks: "`budget`: `1e400` is not a plain number …"
FIELD = re.compile(r"`([^`]+)`: ")
MENTION = re.compile(r"<[@!]([^>|]*)(?:\|[^>]*)?>")


def corpus_lines(name: str) -> list[str]:
    """The JSON strings of a `.jsonl` corpus file, one a line; blank lines and `#` comments skipped."""
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


def as_slack_sends(text: str) -> str:
    """Typed text as Slack delivers it with `should_escape`: `&`, `<`, `>` escaped; nothing else changed."""
    return esc(text)


def messages(answer: Answer) -> list[dict]:
    """Every message the request caused: the acknowledgement's, ephemeral replies, channel posts and updates."""
    return ([answer.acked] if answer.acked else []) + [
        c.params for c in answer.calls if c.method in ("response_url", "chat.postMessage", "chat.postEphemeral",
                                                       "chat.update")]


def assert_safe_message(message: dict, *, asker: str = "U0001") -> str:
    """A valid Block Kit message that mentions no one but the asker and cannot notify a channel; its text."""
    assert_valid_message(message)
    assert not message.get("link_names"), message
    text = message_text(message)
    for match in MENTION.finditer(text):
        assert match.group(0) == f"<@{asker}>", f"{match.group(0)!r} in {text!r}"
    return text


def answer_text(answer: Answer, *, asker: str = "U0001") -> str:
    """The one answer to a request (an ephemeral reply or a channel post), checked: HTTP 200, valid, mentions
    no one, and not an unexpected failure. Returns its text."""
    assert answer.status == 200, (answer.status, answer.ack)
    sent = messages(answer)
    assert len(sent) == 1, [c.method for c in answer.calls]
    text = assert_safe_message(sent[0], asker=asker)
    assert INTERNAL not in text, text
    if sent[0] in answer.replies:
        assert sent[0].get("response_type") == "ephemeral"
    return text


def is_refusal(text: str) -> bool:
    """True for a friendly refusal (a BotError's message), which promises that nothing was changed."""
    return text.lstrip().startswith("That didn't work") or REFUSED in text


def _dump(table) -> str:
    columns = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
    return f'SELECT * FROM "{table.name}" ORDER BY {columns}'


_DUMPS = [(table.name, _dump(table)) for table in Base.metadata.sorted_tables]


def stored(sessions) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, as registry_support.stored has them, read through the
    driver's cursor: the suites here take a snapshot before and after each of thousands of requests (a third of
    their time when each of the thirteen queries was built and its rows converted by SQLAlchemy)."""
    with sessions() as session:
        cursor = session.connection().connection.cursor()
        try:
            found = {}
            for name, query in _DUMPS:
                cursor.execute(query)
                found[name] = [tuple(row) for row in cursor.fetchall()]
            return found
        finally:
            cursor.close()


@contextmanager
def unchanged(sessions) -> Iterator[None]:
    """Checks that what runs inside writes nothing: afterwards every table is as `stored` saw it before."""
    before = stored(sessions)
    yield
    assert stored(sessions) == before
