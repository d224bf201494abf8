"""The slash-command tokenizer: words, `key=value` options, quotes, Slack markup and escapes."""

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.errors import InputError
from handlers.parsing import Args, parse_args
from bot.values import esc

QUOTES = "\"'“”‘’„"


@pytest.mark.parametrize(
    ("text", "words", "options"),
    [
        ("", (), {}),
        ("   ", (), {}),
        ("create spring budget=1200", ("create", "spring"), {"budget": "1200"}),
        ("create spring BUDGET=1200 Note=hi", ("create", "spring"), {"budget": "1200", "note": "hi"}),
        ("a\u00a0b\u3000c\tx=1\n", ("a", "b", "c"), {"x": "1"}),
        ("a\u200bb", ("a", "b"), {}),
        ('note="launch week"', (), {"note": "launch week"}),
        ("note='launch week'", (), {"note": "launch week"}),
        ("note=“launch week”", (), {"note": "launch week"}),
        ("note=‘launch week’", (), {"note": "launch week"}),
        ('note=“launch week"', (), {"note": "launch week"}),
        ("note='don’t stop' x=1", (), {"note": "don’t stop", "x": "1"}),
        ("note=\"it's fine\"", (), {"note": "it's fine"}),
        ('"spring sale" x=1', ("spring sale",), {"x": "1"}),
        ('"note=launch week" x=1', (), {"note": "launch week", "x": "1"}),
        ('note=""', (), {"note": ""}),
        ("ana's 5\"", ("ana's", '5"'), {}),
        ("channel=<#C123|growth>", (), {"channel": "<#C123|growth>"}),
        ("channel=<#C123|> m=<@U123>", (), {"channel": "<#C123|>", "m": "<@U123>"}),
        ("<@U123|ana> <!here> <!subteam^S1|@team>", ("<@U123|ana>", "<!here>", "<!subteam^S1|@team>"), {}),
        ("<https://a.b|my label> x", ("<https://a.b|my label>", "x"), {}),
        ("url=<https://x.com/a?b=1&amp;c=2>", (), {"url": "<https://x.com/a?b=1&amp;c=2>"}),
        ('note="see <https://a.b|my label> now"', (), {"note": "see <https://a.b|my label> now"}),
        ("note=a&amp;b&lt;c&gt;d", (), {"note": "a&b<c>d"}),
        ("note=&amp;lt;", (), {"note": "&lt;"}),
        ('note="Q&amp;A &lt;3"', (), {"note": "Q&A <3"}),
        ("https://x.com/?a=b", ("https://x.com/?a=b",), {}),
        ("a=b=c", (), {"a": "b=c"}),
        ("bud-get=5", ("bud-get=5",), {}),
    ],
)
def test_parse_args_splits_words_and_options(text, words, options):
    assert parse_args(text) == Args(words=words, options=options)


@pytest.mark.parametrize(
    ("text", "field", "fragment"),
    [
        ("budget=1 Budget=2", "budget", "twice"),
        ("budget= x", "budget", "no value"),
        ("budget=", "budget", "no value"),
        ('note="launch week', "note", "never closed"),
        ("note=“launch week", "note", "never closed"),
        ("'spring sale", "arguments", "never closed"),
        ('note="a"b', "note", "closing quote"),
        ("=5", "arguments", "no key"),
        ("a < b", "arguments", "angle bracket"),
        ("note=<https://a.b", "note", "angle bracket"),
        ("x" * 4001, "arguments", "4,000"),
    ],
)
def test_parse_args_refuses_malformed_text_naming_the_field(text, field, fragment):
    with pytest.raises(InputError) as caught:
        parse_args(text)
    assert caught.value.field == field
    assert f"`{field}`" in caught.value.message
    assert fragment in caught.value.message


def test_parse_args_accepts_exactly_4000_characters():
    assert parse_args("x" * 4000).words == ("x" * 4000,)


def test_word_returns_the_positional_word():
    assert parse_args("show spring").word(1, "NAME") == "spring"


def test_word_missing_names_the_field_and_usage():
    with pytest.raises(InputError, match=r"`NAME`: is missing — use `/campaign show NAME`"):
        parse_args("show").word(1, "NAME", "`/campaign show NAME`")


def test_get_is_case_insensitive_with_default():
    args = parse_args("Budget=5")
    assert (args.get("BUDGET"), args.get("note", "none")) == ("5", "none")


def test_no_words_after_refuses_a_value_missing_its_key():
    with pytest.raises(InputError, match=r"`1200` is not expected here"):
        parse_args("create spring 1200").no_words_after(2, "`/campaign create NAME budget=AMOUNT`")


def test_unknown_keys_suggests_the_closest_key():
    args = parse_args("create spring budgte=5")
    with pytest.raises(InputError) as caught:
        args.unknown_keys({"budget", "currency", "note"}, command="/campaign create")
    message = caught.value.message
    assert message.startswith("`budgte`: not a key of /campaign create — did you mean `budget`?")
    assert "`budget`, `currency`, `note`" in message


def test_unknown_keys_lists_every_unknown_key():
    with pytest.raises(InputError, match=r"`zzz`: not a key .*nor is `qqq`"):
        parse_args("zzz=1 qqq=2 note=x").unknown_keys({"note"})


def test_unknown_keys_on_a_command_without_options():
    with pytest.raises(InputError, match="takes no `key=value` options"):
        parse_args("x=1").unknown_keys(set())


def test_unknown_keys_accepts_allowed_keys():
    parse_args("note=x").unknown_keys({"note", "budget"})


def test_error_messages_escape_what_the_user_typed():
    with pytest.raises(InputError) as caught:
        parse_args("&lt;!channel&gt;").no_words_after(0)
    assert "<!channel>" not in caught.value.message
    assert "&lt;!channel&gt;" in caught.value.message


# Text biased towards the characters the tokenizer treats specially.
SLACKISH = st.text(alphabet=st.sampled_from(list("ab=<>&;#@!|^ \u00a0\n\"'“”‘’C1U:/.lt")), max_size=60)
ANY_TEXT = st.one_of(st.text(max_size=200), SLACKISH)
MARKUP = re.compile(r"<[^<>]*>")


@settings(max_examples=200, deadline=None, database=None)
@given(ANY_TEXT)
def test_parse_args_raises_only_input_error(text):
    try:
        parse_args(text)
    except InputError:
        pass


@settings(max_examples=200, deadline=None, database=None)
@given(ANY_TEXT.map(lambda text: text.replace("&", "")))
def test_parse_args_keeps_no_bare_angle_bracket_outside_markup(text):
    try:
        args = parse_args(text)
    except InputError:
        return
    for value in args.words + tuple(args.options.values()):
        assert "<" not in MARKUP.sub("", value)


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=QUOTES)))
@example(" spaced\u200b\u00a0out ")
@example("&lt; <!channel> &amp;")
def test_quoted_value_round_trips_through_slack_escaping(value):
    assert parse_args(f'note="{esc(value)}"').options == {"note": value}
