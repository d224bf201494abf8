"""Hostile slash-command text (SPEC §2, §7): quotes, unicode, Slack markup, huge numbers and injection attempts.

The tokenizer and the value parsers refuse with an InputError naming the field, or return a value in its
accepted form; whole commands through the real app always answer with valid Block Kit, never fail unexpectedly,
never mention anyone, and a refused command leaves every table byte for byte as it was."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.errors import InputError
from bot import values
from handlers.parsing import MAX_TEXT, parse_args
from conftest import SQLITE_ONLY
from hostile.hostile_support import (FIELD, FUZZ, FUZZ_APP, answer_text, as_slack_sends, corpus_lines, is_refusal,
                                    stored)
from registry_support import answered, campaign_row

TEXTS = corpus_lines("slash_text.jsonl")
NUMBERS = corpus_lines("numbers.jsonl") + ["9" * 5000, "-" + "9" * 5000, "9" * 5000 + "k", "0." + "0" * 5000 + "1",
                                           str(10**100), "1" * 4300 + ".5"]
# Characters the tokenizer and the parsers treat specially, plus unicode that has bitten parsers elsewhere.
NASTY = list("ab1=<>&;#@!|^ \"'“”‘’„`{}$%\\_-.,:/*~") + ["\u00a0", "\u200b", "\u202e", "\u0301", "🎉", "\t", "\n",
                                                          "\x00", "\x7f", "ｓ", "١", "<!here>", "<@U0001>", "&amp;",
                                                          "&lt;", "&gt;", "<!channel>", "<#C0001|x>"]
nasty_text = st.lists(st.sampled_from(NASTY), max_size=16).map("".join)
hostile = st.one_of(st.sampled_from(TEXTS), st.sampled_from(NUMBERS), nasty_text, st.text(max_size=24))
numbers = st.one_of(st.sampled_from(NUMBERS), st.integers().map(str), st.floats().map(repr),
                    st.decimals(allow_nan=True, allow_infinity=True).map(str),
                    st.text(st.sampled_from(list("0123456789.,-+eE%kKmM _")), max_size=20))


# -- the tokenizer -------------------------------------------------------------------------------


def assert_well_formed_refusal(error: InputError) -> None:
    """An InputError's message starts with its field, and is safe mrkdwn: no Slack markup, every `<` escaped."""
    match = FIELD.match(error.message)
    assert match and match.group(1) == error.field, error.message
    assert "<" not in error.message and ">" not in error.message.replace("&gt;", ""), error.message


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_each_corpus_text_is_split_or_refused_naming_the_field(text):
    for sent in (text, as_slack_sends(text)):
        try:
            args = parse_args(sent)
        except InputError as error:
            assert_well_formed_refusal(error)
            continue
        for value in args.words + tuple(args.options.values()):
            assert "\x00" not in value


@FUZZ
@given(st.lists(hostile, max_size=4).map(" ".join))
@example("x" * (MAX_TEXT + 1))
@example("note=\"" + "\x00" + "\"")
@example("a=\ud800")
def test_any_text_is_split_or_refused_naming_the_field(text):
    try:
        args = parse_args(text)
    except InputError as error:
        assert_well_formed_refusal(error)
        return
    assert all(re.fullmatch(r"[a-z0-9_]+", key) for key in args.options)
    for value in args.words + tuple(args.options.values()):
        assert not re.search(r"[\x00-\x08\x0e-\x1b\x7f]", value)  # nothing a database or terminal chokes on


# -- the value parsers ---------------------------------------------------------------------------


def parsed(parser, value: str, field: str):
    """`parser(value)`, or None when it refused with a well-formed InputError naming `field`."""
    try:
        return parser(value)
    except InputError as error:
        assert error.field == field
        assert_well_formed_refusal(error)
        return None


@FUZZ
@given(numbers)
def test_money_is_refused_or_a_non_negative_amount_in_cents_up_to_a_trillion(text):
    amount = parsed(lambda v: values.parse_money(v, "budget"), text, "budget")
    if amount is not None:
        assert amount.is_finite() and Decimal(0) <= amount <= values.MAX_MONEY
        assert amount == amount.quantize(Decimal("0.01"))


@FUZZ
@given(numbers)
def test_percentages_are_refused_or_finite_and_within_their_bounds(text):
    pct = parsed(lambda v: values.parse_pct(v, "commission", minimum=0, maximum=100), text, "commission")
    if pct is not None:
        assert pct.is_finite() and 0 <= pct <= 100
    pct = parsed(lambda v: values.parse_pct(v, "min_roi"), text, "min_roi")
    if pct is not None:
        assert abs(pct) <= values.MAX_ABS_PCT


@FUZZ
@given(numbers)
def test_whole_numbers_are_refused_or_ints_within_their_bounds(text):
    n = parsed(lambda v: values.parse_int(v, "followers", minimum=0, maximum=10_000_000_000), text, "followers")
    assert n is None or (isinstance(n, int) and 0 <= n <= 10_000_000_000)
    n = parsed(lambda v: values.parse_int(v, "n", minimum=None), text, "n")
    assert n is None or abs(n) <= values.MAX_INT + 1


@pytest.mark.parametrize("text", NUMBERS, ids=range(len(NUMBERS)))
def test_each_corpus_number_is_parsed_or_refused_by_every_number_parser(text):
    for parser in (lambda v: values.parse_money(v, "x"), lambda v: values.parse_pct(v, "x"),
                   lambda v: values.parse_int(v, "x"), lambda v: values.parse_date(v, "x")):
        parsed(parser, text, "x")


IDENTIFIERS = [
    (values.parse_name, "campaign", r"[A-Za-z0-9_-]{1,40}"),
    (values.parse_code, "code", r"[A-Za-z0-9_-]{1,64}"),
    (values.parse_handle, "handle", r"[A-Za-z0-9._-]{1,64}"),
    (values.parse_platform, "platform", "|".join(values.PLATFORMS)),
]


@FUZZ
@given(hostile)
def test_names_codes_handles_and_platforms_are_refused_or_plain_identifiers(text):
    for parser, field, form in IDENTIFIERS:
        value = parsed(lambda v: parser(v, field), text, field)
        assert value is None or re.fullmatch(form, value), (field, value)


@FUZZ
@given(hostile)
@example("<#C" + "1" * 40 + "|general>")
@example("<@U" + "1" * 40 + ">")
@example("G" + "1" * 40)
@example("W" + "1" * 40)
def test_channels_users_links_and_dates_are_refused_or_in_their_accepted_form(text):
    # Ids go into 32-character columns (PostgreSQL refuses longer ones: an unexpected error, not a refusal).
    channel = parsed(lambda v: values.parse_channel(v, "channel"), text, "channel")
    assert channel is None or re.fullmatch(r"[CG][A-Z0-9]{1,31}", channel.id or "") or \
        re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}", channel.name)
    user = parsed(lambda v: values.parse_user(v, "manager"), text, "manager")
    assert user is None or re.fullmatch(r"[UW][A-Z0-9]{1,31}", user.id or "") or \
        re.fullmatch(r"[a-z0-9._-]{1,80}", user.name)
    url = parsed(lambda v: values.parse_url(v, "url"), text, "url")
    assert url is None or (re.match(r"(?i)https?://", url) and not re.search(r"\s", url))
    parsed(lambda v: values.parse_date(v, "start"), text, "start")


# -- whole commands through the real app ---------------------------------------------------------

# `{v}` is where the hostile value goes; the command's own words are valid, so a refusal is about `{v}`.
TEMPLATES = [
    "/campaign {v}",
    "/campaign create {v} budget=1",
    "/campaign create fresh budget={v}",
    "/campaign create fresh budget=1 {v}",
    "/campaign set base currency={v}",
    "/campaign set base start={v}",
    "/campaign set base min_roi={v}",
    "/campaign set base grace_days={v}",
    '/campaign set base digest="{v}"',
    "/campaign set base channel={v}",
    "/campaign show {v}",
    "/influencer {v}",
    "/influencer add {v}",
    "/influencer add ana followers={v}",
    "/influencer add ana platform={v}",
    "/influencer add ana campaign=base fee={v}",
    "/influencer set ana campaign=base commission={v}",
    "/influencer stats ana campaign=base likes={v}",
    "/influencer stats ana campaign=base post={v}",
    "/influencer show {v}",
    "/code {v}",
    "/code add {v} ana campaign=base",
    "/code add CODE2 {v} campaign=base",
    "/code add CODE3 ana campaign=base url={v}",
    "/roi {v}",
    "/roi campaign {v}",
    "/roi campaign base from={v}",
    "/roi top by={v}",
    "/roi top n={v}",
    "/roi sale ANA10 amount={v}",
    "/roi sale ANA10 amount=1 id={v}",
    "/roi sale ANA10 amount=1 date={v}",
]


@pytest.fixture
def base(roi):
    """A campaign `base` with ana enrolled and her code ANA10: every template's other words resolve."""
    for line in ("/campaign create base budget=1000 start=2026-03-01 end=2026-03-31",
                 "/influencer add ana platform=instagram campaign=base fee=10", "/code add ANA10 ana campaign=base"):
        answered(roi.command(line))
    return "base"


def refused_as_a_whole(line: str) -> InputError | None:
    """The tokenizer's refusal of the command's text (too long, a stray quote, …), or None."""
    try:
        parse_args(line.partition(" ")[2])
    except InputError as error:
        return error
    return None


def check_command(roi, sessions, line: str) -> str:
    """Run one command: it gets one safe answer, and when that is a refusal, no table changed. Its text."""
    before = stored(sessions)
    text = answer_text(roi.command(line))
    if is_refusal(text):
        assert stored(sessions) == before, line
    if error := refused_as_a_whole(line):  # refused before anything else: the answer is that refusal, word for word
        assert is_refusal(text) and error.message in text, (line, text)
    return text


@FUZZ_APP
@given(template=st.sampled_from(TEMPLATES), value=hostile, escaped=st.booleans())
def test_any_value_anywhere_gets_one_safe_answer_and_a_refusal_changes_nothing(roi, sessions, base, template, value,
                                                                               escaped):
    check_command(roi, sessions, template.replace("{v}", as_slack_sends(value) if escaped else value))


def test_each_corpus_text_in_each_command_gets_one_safe_answer(roi, sessions, base):
    for text in TEXTS:
        for command in ("/campaign create", "/code add"):  # one positional word then options; two words
            check_command(roi, sessions, f"{command} {text}")


# Options whose value has a fixed form: a refusal of a bad value names exactly that option.
FIELDS = {
    "/campaign set base {key}={v}": ["budget", "currency", "start", "end", "min_roi", "grace_days", "window_days"],
    "/influencer set ana {key}={v}": ["platform", "followers"],
    "/influencer set ana campaign=base {key}={v}": ["fee", "commission", "product_cost", "goal_revenue", "start"],
    "/roi top {key}={v}": ["by", "n"],
    "/roi sale ANA10 amount=1 {key}={v}": ["date", "refunded"],
}
one_token = st.one_of(hostile, numbers).map(lambda v: re.sub(r"[\s\u200b\u2060\ufeff\"'“”‘’„<>]", "", v)).filter(bool)


@FUZZ_APP
@given(data=st.data(), value=one_token)
def test_a_refused_option_value_is_named_in_the_answer(roi, sessions, base, data, value):
    template = data.draw(st.sampled_from(sorted(FIELDS)))
    key = data.draw(st.sampled_from(FIELDS[template]))
    line = template.format(key=key, v=as_slack_sends(value))
    text = check_command(roi, sessions, line)
    if is_refusal(text) and not refused_as_a_whole(line):
        assert f"`{key}`" in text, text


@pytest.mark.parametrize("number", ["1e400", "9" * 3000, "-5", "NaN", "inf", "-inf", str(10**100), "١٢٣"])
@SQLITE_ONLY  # refused by the parser, before anything is read
def test_huge_and_odd_numbers_are_refused_naming_the_field_and_store_nothing(roi, sessions, base, number):
    for line, field in ((f"/campaign create fresh budget={number}", "budget"),
                        (f"/influencer add ben followers={number}", "followers"),
                        (f"/roi top n={number}", "n"),
                        (f"/roi sale ANA10 amount={number}", "amount")):
        text = check_command(roi, sessions, line)
        assert is_refusal(text) and f"`{field}`" in text, text


@FUZZ_APP
@given(note=st.one_of(st.sampled_from(TEXTS), nasty_text))
@example("<!channel> &amp; <!here> <@U0BEN00001|ben> <http://evil.example|click>")
@example("{0.__class__} %s ${jndi:x} '; DROP TABLE campaigns;--")
def test_a_free_text_note_is_stored_as_typed_and_only_ever_shown_escaped(roi, sessions, base, note):
    quoted = '"' + as_slack_sends(note).replace('"', "") + '"'
    text = check_command(roi, sessions, f"/campaign set base note={quoted}")
    answer_text(roi.command("/campaign show base"))  # mentions no one, whatever the note holds
    if not is_refusal(text):
        assert campaign_row(sessions, "base").note == parse_args(f"note={quoted}").options["note"]


@SQLITE_ONLY  # refused by the parser, before anything is read
def test_a_long_cron_schedule_is_refused_naming_digest(roi, sessions, base):
    minutes = ",".join(str(m) for m in range(60))
    text = check_command(roi, sessions, f'/campaign set base digest="cron:{minutes} * * * *"')

    assert is_refusal(text) and "digest" in text and "at most 80" in text
