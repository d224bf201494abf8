"""Value parsers for slash-command arguments: money, percentages, dates, names, channels, users, links.

Each parser takes one word or `key=value` value as `handlers.parsing.parse_args` returned it (Slack's
`&amp;`/`&lt;`/`&gt;` already undone outside Slack markup) and either returns a normalized value or raises
`InputError` naming the field and the accepted form. Messages quote what the user typed through
`esc`, because they are shown in Slack as they are.
"""

import difflib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from bot.errors import InputError
from bot.limits import DATE_FORM, MAX_MONEY, MAX_ORDER_AMOUNT, check_amount, check_date

# Percentages without explicit bounds still get one, so a typo cannot overflow a NUMERIC column.
MAX_ABS_PCT = Decimal("1000000")
MAX_INT = 2**63 - 1
MAX_URL = 2000
# Zero-width characters pasted from docs or exported by spreadsheets would otherwise glue invisibly onto a value.
INVISIBLE = "\u200b\u2060\ufeff"
_VISIBLE = str.maketrans(dict.fromkeys(INVISIBLE))
PLATFORMS = ("instagram", "tiktok", "youtube", "x", "twitch", "blog", "other")
PLATFORM_ALIASES = {"twitter": "x", "ig": "instagram"}

_CENT = Decimal("0.01")
_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_SUFFIX = {"k": 1000, "m": 1_000_000}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NAME = re.compile(r"[A-Za-z0-9_-]+")
_HANDLE = re.compile(r"[A-Za-z0-9._-]+")
_CHANNEL_MARKUP = re.compile(r"<#([CG][A-Z0-9]{1,31})(?:\|([^<>]*))?>")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{8,31}")  # ids are stored in 32 characters
_CHANNEL_NAME = re.compile(r"#?([a-z0-9][a-z0-9_-]{0,79})", re.IGNORECASE)
_USER_MARKUP = re.compile(r"<@([UW][A-Z0-9]{1,31})(?:\|([^<>]*))?>")
_USER_ID = re.compile(r"[UW][A-Z0-9]{8,31}")
_USER_NAME = re.compile(r"@?([a-z0-9._-]{1,80})", re.IGNORECASE)
_ENTITIES = re.compile(r"&(amp|lt|gt);")
_ENTITY_CHARS = {"amp": "&", "lt": "<", "gt": ">"}

AMOUNT_FORM = "a plain number like `1200` or `1,200.50`"
CHANNEL_HINT = "pick the channel from Slack's autocomplete, e.g. `channel=#growth`"


@dataclass(frozen=True)
class ChannelRef:
    """A channel as typed: an id when Slack sent one, otherwise a name the caller resolves."""

    id: str | None
    name: str | None


@dataclass(frozen=True)
class UserRef:
    """A Slack user as typed: an id when Slack sent one, otherwise a name the caller resolves."""

    id: str | None
    name: str | None


def esc(text: object) -> str:
    """User text made safe for Slack's mrkdwn: `&`, `<`, `>` escaped, so it can never become a link or a mention."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape_slack(text: str) -> str:
    """Undo Slack's `&amp;`, `&lt;`, `&gt;` exactly once (`&amp;lt;` becomes `&lt;`)."""
    return _ENTITIES.sub(lambda m: _ENTITY_CHARS[m.group(1)], text)


def strip_invisible(text: str) -> str:
    """`text` without the zero-width characters of INVISIBLE (a CSV cell, a pasted value)."""
    return text.translate(_VISIBLE)


def shown(value: str, limit: int = 60) -> str:
    """`value` as inline code that is safe in a Slack message, shortened when long."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return "`" + esc(value.replace("`", "'")) + "`"


def _number(value: str, field: str, accepted: str) -> Decimal:
    """A non-negative decimal, commas allowed only as correct thousands groups."""
    if not value:
        raise InputError(field, "is empty", accepted)
    if not _NUMBER.fullmatch(value):
        if "," in value and re.fullmatch(r"[0-9,]+(?:\.[0-9]+)?", value):
            raise InputError(field, f"{shown(value)} has commas that are not thousands groups", accepted)
        raise InputError(field, f"{shown(value)} is not a number", accepted)
    return Decimal(value.replace(",", ""))


def _decimals(number: Decimal) -> int:
    """How many digits follow the decimal point, as typed."""
    return max(0, -number.as_tuple().exponent)


def parse_money(value: str, field: str, *, maximum: Decimal = MAX_MONEY) -> Decimal:
    """An amount in the campaign currency, 0 to `maximum` (bot.limits), at most 2 decimals, in cents."""
    text = value.strip()
    if text.startswith("-") and _NUMBER.fullmatch(text[1:]):
        raise InputError(field, f"{shown(text)} is negative; amounts are 0 or more", AMOUNT_FORM)
    if text and not _NUMBER.fullmatch(text) and re.search(r"[0-9]", text) and re.search(r"[^0-9,.]", text):
        raise InputError(
            field, f"{shown(text)} is not a plain number (the campaign currency applies)", AMOUNT_FORM
        )
    amount = _number(text, field, AMOUNT_FORM)
    if _decimals(amount) > 2:
        raise InputError(field, f"{shown(text)} has more than 2 decimals", AMOUNT_FORM)
    check_amount(amount, field, maximum=maximum, accepted=f"{AMOUNT_FORM}, at most {maximum:,}")
    return amount.quantize(_CENT)


def parse_pct(
    value: str, field: str, *, minimum: Decimal | int | None = None, maximum: Decimal | int | None = None
) -> Decimal:
    """A percentage like `15`, `15%`, `12.5` or `-20` (at most 2 decimals), within the given bounds."""
    accepted = "a percentage like `15`, `15%` or `12.5`"
    text = value.strip()
    body = text[:-1].rstrip() if text.endswith("%") else text
    sign = -1 if body.startswith("-") else 1
    body = body[1:] if body[:1] in "+-" else body
    pct = _number(body, field, accepted) * sign
    if _decimals(pct) > 2:
        raise InputError(field, f"{shown(text)} has more than 2 decimals", accepted)
    low = Decimal(minimum) if minimum is not None else -MAX_ABS_PCT
    high = Decimal(maximum) if maximum is not None else MAX_ABS_PCT
    if pct < low:
        raise InputError(field, f"{shown(text)} is below the minimum of {low}%", accepted)
    if pct > high:
        raise InputError(field, f"{shown(text)} is above the maximum of {high}%", accepted)
    return pct


DISCOUNT_FORM = "a percentage like `15%` or an amount in the campaign currency like `10`"


@dataclass(frozen=True)
class Discount:
    """A store discount: a percentage off (`percent`) or an amount off each order (`amount`), never both."""

    percent: Decimal | None = None
    amount: Decimal | None = None


def parse_discount(value: str, field: str = "discount") -> Discount:
    """`15%` (more than 0, at most 100) or `10` (more than 0, at most one order's amount): the `%` tells which,
    since a bare number is money like every other amount."""
    text = value.strip()
    if text.endswith("%"):
        pct = parse_pct(text, field, minimum=0, maximum=100)
        if pct == 0:
            raise InputError(field, f"{shown(text)} takes nothing off", DISCOUNT_FORM)
        return Discount(percent=pct)
    if not text:
        raise InputError(field, "is empty", DISCOUNT_FORM)
    amount = parse_money(text, field, maximum=MAX_ORDER_AMOUNT)
    if amount == 0:
        raise InputError(field, f"{shown(text)} takes nothing off", DISCOUNT_FORM)
    return Discount(amount=amount)


def parse_int(value: str, field: str, *, minimum: int | None = 0, maximum: int | None = None) -> int:
    """A whole number: `12000`, `12,000`, or with a suffix `12k`, `1.2m` (case-insensitive)."""
    if minimum is not None and maximum is not None and maximum <= 1000:
        accepted = f"a whole number from {minimum} to {maximum}"  # a count like `n=5`: no `12k` to suggest
    else:
        accepted = "a whole number like `12000`, `12,000`, `12k` or `1.2m`"
    text = value.strip()
    sign = -1 if text.startswith("-") else 1
    body = text[1:] if text[:1] in "+-" else text
    factor = _SUFFIX.get(body[-1:].lower(), 1)
    if factor != 1:
        body = body[:-1]
    number = _number(body, field, accepted) * factor * sign
    if number != number.to_integral_value():
        raise InputError(field, f"{shown(text)} is not a whole number", accepted)
    low = -MAX_INT - 1 if minimum is None else minimum  # like `high`: a BIGINT column holds it either way
    if number < low:
        raise InputError(field, f"{shown(text)} is below the minimum of {low:,}", accepted)
    high = MAX_INT if maximum is None else maximum
    if number > high:
        raise InputError(field, f"{shown(text)} is above the maximum of {high:,}", accepted)
    return int(number)


def parse_date(value: str, field: str) -> date:
    """A real calendar date written `YYYY-MM-DD`, within the dates the app accepts (bot.limits)."""
    text = value.strip()
    if not _DATE.fullmatch(text):
        raise InputError(field, f"{shown(text)} is not written YYYY-MM-DD", DATE_FORM)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(field, f"{shown(text)} is not a date", DATE_FORM) from None
    return check_date(day, field)


def _identifier(value: str, field: str, pattern: re.Pattern, limit: int, chars: str) -> str:
    """Check a name-like value against its character class and length limit."""
    accepted = f"1–{limit} characters of {chars}"
    if not value:
        raise InputError(field, "is empty", accepted)
    if value.startswith(("<@", "<!", "<#")):
        raise InputError(field, f"{shown(value)} looks like a Slack mention or channel", accepted)
    if not pattern.fullmatch(value):
        raise InputError(field, f"{shown(value)} has characters other than {chars}", accepted)
    if len(value) > limit:
        raise InputError(field, f"{shown(value)} is longer than {limit} characters", accepted)
    return value


def parse_name(value: str, field: str = "campaign") -> str:
    """A campaign NAME: 1–40 ASCII letters, digits, `-` and `_`, returned as typed."""
    return _identifier(value.strip(), field, _NAME, 40, "ASCII letters, digits, `-` and `_`")


def parse_code(value: str, field: str = "code") -> str:
    """A discount CODE: 1–64 ASCII letters, digits, `-` and `_`, returned as typed."""
    return _identifier(value.strip(), field, _NAME, 64, "ASCII letters, digits, `-` and `_`")


def parse_handle(value: str, field: str = "handle") -> str:
    """An influencer HANDLE without its leading `@`: 1–64 letters, digits, `.`, `_` and `-`."""
    text = value.strip()
    if text.startswith(("<@", "<!")):
        # Slack turns `@name` into a member mention when a workspace member has that name.
        raise InputError(
            field,
            f"{shown(text)} looks like a Slack mention (Slack links `@names` of workspace members)",
            "the influencer's handle without `@`, like `ana.makes`",
        )
    text = text.removeprefix("@")
    return _identifier(text, field, _HANDLE, 64, "ASCII letters, digits, `.`, `_` and `-`")


def parse_choice(value: str, field: str, choices) -> str:
    """One of `choices`, matched case-insensitively, returned as spelled in `choices`."""
    by_lower = {choice.lower(): choice for choice in choices}
    text = value.strip()
    if text.lower() in by_lower:
        return by_lower[text.lower()]
    accepted = "one of " + ", ".join(f"`{choice}`" for choice in choices)
    close = difflib.get_close_matches(text.lower(), list(by_lower), n=1)
    hint = f"; did you mean `{by_lower[close[0]]}`?" if close else ""
    raise InputError(field, f"{shown(text)} is not a choice{hint}", accepted)


def parse_platform(value: str, field: str = "platform") -> str:
    """A platform name, lower-cased; `twitter` means `x` and `ig` means `instagram`."""
    text = value.strip().lower()
    return parse_choice(PLATFORM_ALIASES.get(text, text), field, PLATFORMS)


def parse_channel(value: str, field: str = "channel") -> ChannelRef:
    """A channel from Slack markup (`<#C123|growth>`), a raw id, or a plain `#name` to resolve."""
    text = value.strip()
    if match := _CHANNEL_MARKUP.fullmatch(text):
        return ChannelRef(id=match.group(1), name=match.group(2) or None)
    if _CHANNEL_ID.fullmatch(text):
        return ChannelRef(id=text, name=None)
    if match := _CHANNEL_NAME.fullmatch(text):
        return ChannelRef(id=None, name=match.group(1).lower())
    raise InputError(field, f"{shown(text)} is not a channel", CHANNEL_HINT)


def parse_user(value: str, field: str = "manager") -> UserRef:
    """One Slack member from a mention (`<@U123>`), a raw id, or a plain `@name` to resolve."""
    accepted = "one person, picked with Slack's autocomplete, e.g. `manager=@ana`"
    text = value.strip()
    if match := _USER_MARKUP.fullmatch(text):
        return UserRef(id=match.group(1), name=match.group(2) or None)
    if text.startswith("<!"):
        raise InputError(field, f"{shown(text)} is a group mention, not one person", accepted)
    if _USER_ID.fullmatch(text):
        return UserRef(id=text, name=None)
    if match := _USER_NAME.fullmatch(text):
        return UserRef(id=None, name=match.group(1).lower())
    raise InputError(field, f"{shown(text)} is not a Slack member", accepted)


def parse_url(value: str, field: str = "url") -> str:
    """An http(s) link, from Slack's `<https://…>` / `<https://…|label>` markup or typed plainly, that can be shown
    back as a Slack link: no `|`, `<`, `>`, spaces or invisible characters, no `user:pass@` part."""
    accepted = ("a link starting with `https://`, with no spaces, vertical bars or angle brackets and no "
                "`user:password@`")
    text = value.strip()
    url = text
    if text.startswith("<") and text.endswith(">"):
        if text[1:2] in ("#", "@", "!"):
            raise InputError(field, f"{shown(text)} is a Slack mention or channel, not a link", accepted)
        # Inside markup Slack's escapes are still in place (the tokenizer keeps markup intact).
        url = unescape_slack(text[1:-1].split("|", 1)[0])
    if len(url) > MAX_URL:
        raise InputError(field, f"is longer than {MAX_URL:,} characters", accepted)
    try:
        parts = urlsplit(url)
        _ = parts.port  # urlsplit only checks the port when it is read
    except ValueError:
        raise InputError(field, f"{shown(url)} is not a valid link", accepted) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(field, f"{shown(url)} is not an http(s) link with a host", accepted)
    if "@" in parts.netloc:
        # A password would be shown to everyone, and `https://shop.example@evil.example` hides where it leads.
        raise InputError(field, "has a `user:password@` part before the host (not repeated here)", accepted)
    # Read off `url` itself: urlsplit silently drops tabs and line breaks.
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise InputError(field, f"{shown(url)} contains spaces or invisible characters", accepted)
    # Each would end or split Slack's `<url|label>` markup when the link is shown back.
    if breaking := sorted({ch for ch in url if ch in "|<>"}):
        raise InputError(field, f"{shown(url)} contains {' and '.join(shown(ch) for ch in breaking)}", accepted)
    return url


MAX_ROW_ID = 2**53  # far above any id the app hands out, and within every integer column and Python's int parsing


def row_id(value: object) -> int | None:
    """The database id a button carries as its value, or None for anything that cannot be one (a forged or
    damaged payload: text, a negative, 5,000 digits)."""
    text = str(value or "")
    if not text.isascii() or not text.isdigit() or len(text) > 16 or int(text) > MAX_ROW_ID:
        return None
    return int(text)


def body_id(body: dict, key: str) -> str | None:
    """`body[key]["id"]` of an interaction payload (the clicker, their team), or None when it is not there."""
    part = body.get(key)
    found = part.get("id") if isinstance(part, dict) else None
    return found if isinstance(found, str) and found else None
