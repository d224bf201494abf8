"""The slash-command argument tokenizer: Slack's command text in, positional words and `key=value` options out.

Rules (SPEC §2): words are separated by any whitespace; `key=value` keys are ASCII letters, digits and
`_`, case-insensitive; a value or word with spaces is quoted with straight or curly quotes; Slack's own
markup (`<#C123|growth>`, `<@U123>`, `<!here>`, `<https://…|label>`) is kept intact as one piece even
when its label has spaces; everything else has Slack's `&amp;`/`&lt;`/`&gt;` undone exactly once.
The value parsers live in `bot.values` and are re-exported here for convenience.
"""

import difflib
import re
from dataclasses import dataclass, field

from bot.errors import InputError
from bot.values import INVISIBLE, shown, unescape_slack

MAX_TEXT = 4000
ARGUMENTS = "arguments"
_DOUBLE = "\"“”„"
_SINGLE = "'‘’"
_KEY = re.compile(r"[A-Za-z0-9_]+")
# Control characters Slack never sends (whitespace ones separate words); PostgreSQL cannot store NUL at all.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class Args:
    """A parsed command text: positional `words` in order and `options` keyed by lower-cased key."""

    words: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)

    def word(self, i: int, field: str, accepted: str | None = None) -> str:
        """The i-th positional word, or an InputError saying `field` is missing."""
        if i < len(self.words):
            return self.words[i]
        raise InputError(field, "is missing", accepted)

    def get(self, key: str, default: str | None = None) -> str | None:
        """The value given for `key`, or `default` when it was left out."""
        return self.options.get(key.lower(), default)

    def no_words_after(self, count: int, accepted: str | None = None) -> None:
        """Refuse positional words beyond the first `count` (usually a value missing its `key=`)."""
        if len(self.words) > count:
            extra = shown(self.words[count])
            raise InputError(ARGUMENTS, f"{extra} is not expected here (does a value miss its `key=`?)", accepted)

    def unknown_keys(self, allowed: set[str], command: str | None = None) -> None:
        """Refuse keys outside `allowed`, suggesting the closest allowed key for a typo."""
        unknown = [key for key in self.options if key not in allowed]
        if not unknown:
            return
        where = f" of {command}" if command else ""
        problem = f"not a key{where}"
        close = difflib.get_close_matches(unknown[0], sorted(allowed), n=1, cutoff=0.6)
        if close:
            problem += f" — did you mean `{close[0]}`?"
        if len(unknown) > 1:
            problem += " (nor is " + ", ".join(shown(key) for key in unknown[1:]) + ")"
        accepted = "the keys " + ", ".join(f"`{key}`" for key in sorted(allowed)) if allowed else None
        if not allowed:
            problem += "; this command takes no `key=value` options"
        raise InputError(unknown[0], problem, accepted)


def parse_args(text: str | None) -> Args:
    """Split a slash command's text into words and `key=value` options (SPEC §2 rules)."""
    text = text or ""
    if len(text) > MAX_TEXT:
        raise InputError(ARGUMENTS, f"are longer than {MAX_TEXT:,} characters", "shorter arguments")
    if control := _CONTROL.search(text):
        code = f"U+{ord(control.group()):04X}"
        raise InputError(ARGUMENTS, f"contain the non-printing character {code}", "text as typed in Slack")
    words: list[str] = []
    options: dict[str, str] = {}
    i = 0
    while i < len(text):
        if _is_space(text[i]):
            i += 1
            continue
        key, value, i = _read_token(text, i)
        if key is None:
            words.append(value)
        elif key in options:
            raise InputError(key, "is given twice", "each key once")
        else:
            options[key] = value
    return Args(words=tuple(words), options=options)


def _read_token(text: str, i: int) -> tuple[str | None, str, int]:
    """Read one token from `text[i]`: (lower-cased key or None, value, index after the token)."""
    pieces: list[tuple[str, bool]] = []  # (text, is_markup); raw text is still Slack-escaped
    key: str | None = None
    may_have_key = True
    at_value_start = True
    while i < len(text) and not _is_space(text[i]):
        char = text[i]
        if at_value_start and char in _DOUBLE + _SINGLE:
            quoted, i = _read_quoted(text, i, key or ARGUMENTS)
            if key is None:
                # `"note=launch week"`: the whole token quoted rather than only the value.
                key, quoted = _split_key(quoted)
            return key, _join(quoted), i
        at_value_start = False
        if char == "<":
            end = _markup_end(text, i, key or ARGUMENTS)
            pieces.append((text[i:end], True))
            i = end
        elif char == "=" and may_have_key and all(not markup for _, markup in pieces):
            may_have_key = False
            prefix = "".join(raw for raw, _ in pieces)
            if not prefix:
                typed = shown(unescape_slack(_rest_of_token(text, i)))
                raise InputError(ARGUMENTS, f"{typed} has no key before `=`", "`key=value`")
            if not _KEY.fullmatch(prefix):
                pieces.append((char, False))  # a word that happens to hold `=`, e.g. a plain link
            else:
                key, pieces, at_value_start = prefix.lower(), [], True
            i += 1
        else:
            pieces.append((char, False))
            i += 1
    if key is not None and not pieces:
        raise InputError(key, "has no value", f"`{key}=value` (quote values with spaces)")
    return key, _join(pieces), i


def _read_quoted(text: str, i: int, field: str) -> tuple[list[tuple[str, bool]], int]:
    """Read a quoted value starting at the quote `text[i]`; the closing quote must end the token."""
    opener = text[i]
    family = _DOUBLE if opener in _DOUBLE else _SINGLE
    pieces: list[tuple[str, bool]] = []
    j = i + 1
    while j < len(text):
        char = text[j]
        if char == "<":
            end = _markup_end(text, j, field)
            pieces.append((text[j:end], True))
            j = end
            continue
        if char in family and not (family == _SINGLE and _is_apostrophe(text, j)):
            after = j + 1
            if after < len(text) and not _is_space(text[after]):
                typed = shown(unescape_slack(_rest_of_token(text, after)))
                raise InputError(
                    field,
                    f"the closing quote {shown(char)} is followed by {typed}",
                    "a space after the closing quote, like `note=\"launch week\" budget=100`",
                )
            return pieces, after
        pieces.append((char, False))
        j += 1
    raise InputError(
        field,
        f"the quote {shown(opener)} before {shown(unescape_slack(text[i + 1 : i + 21]))} is never closed",
        "a matching closing quote, like `note=\"launch week\"`",
    )


def _is_space(char: str) -> bool:
    """Whitespace separates tokens, including Slack's non-breaking spaces and the zero-width characters of
    `INVISIBLE` (which CSV imports strip from their cells)."""
    return char.isspace() or char in INVISIBLE


def _is_apostrophe(text: str, j: int) -> bool:
    """A single quote between two letters (`don’t`) is an apostrophe, not a closing quote."""
    return 0 < j < len(text) - 1 and text[j - 1].isalnum() and text[j + 1].isalnum()


def _markup_end(text: str, i: int, field: str) -> int:
    """Index after the `>` closing the Slack markup that starts at `text[i] == '<'`."""
    end = text.find(">", i + 1)
    if end == -1 or "<" in text[i + 1 : end]:
        # Slack escapes every `<` a person types, so a bare one means the text was not from Slack.
        raise InputError(
            field,
            "has an angle bracket that is not part of a Slack link, mention or channel",
            "text as typed in Slack",
        )
    return end + 1


def _split_key(pieces: list[tuple[str, bool]]) -> tuple[str | None, list[tuple[str, bool]]]:
    """Split `key=` off the front of a wholly quoted token, when it starts with one."""
    prefix: list[str] = []
    for n, (piece, markup) in enumerate(pieces):
        if markup:
            break
        if piece == "=":
            name = "".join(prefix)
            if _KEY.fullmatch(name):
                return name.lower(), pieces[n + 1 :]
            break
        prefix.append(piece)
    return None, pieces


def _join(pieces: list[tuple[str, bool]]) -> str:
    """Assemble a value: markup verbatim, everything else with Slack's escapes undone once."""
    out: list[str] = []
    raw: list[str] = []
    for piece, markup in pieces:
        if markup:
            out.append(unescape_slack("".join(raw)))
            raw = []
            out.append(piece)
        else:
            raw.append(piece)
    out.append(unescape_slack("".join(raw)))
    return "".join(out)


def _rest_of_token(text: str, i: int) -> str:
    """The text from `i` to the next whitespace, for error messages."""
    end = i
    while end < len(text) and not _is_space(text[end]):
        end += 1
    return text[i:end]
