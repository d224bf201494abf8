"""Value parsers: each accepted form normalizes, each refusal names the field and the accepted form."""

from datetime import date
from decimal import Decimal

import pytest

from bot.errors import InputError
from bot.registry.links import tracking_url
from bot.values import (
    ChannelRef,
    UserRef,
    esc,
    parse_channel,
    parse_choice,
    parse_code,
    parse_date,
    parse_handle,
    parse_int,
    parse_money,
    parse_name,
    parse_pct,
    parse_platform,
    parse_url,
    parse_user,
    strip_invisible,
    unescape_slack,
)


def refused(call, *args, field, fragment="", **kwargs):
    """Run a parser expecting InputError; check it names `field` and says `fragment`."""
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field
    assert caught.value.message.startswith(f"`{field}`: ")
    assert " — use " in caught.value.message
    assert fragment in caught.value.message
    return caught.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1200", "1200.00"),
        ("1200.5", "1200.50"),
        ("1200.50", "1200.50"),
        ("1,200.50", "1200.50"),
        ("1,200", "1200.00"),
        ("1,234,567", "1234567.00"),
        ("0", "0.00"),
        (" 7 ", "7.00"),
        ("1000000000000", "1000000000000.00"),
    ],
)
def test_parse_money_accepts_plain_and_grouped_amounts(value, expected):
    assert parse_money(value, "budget") == Decimal(expected)
    assert str(parse_money(value, "budget")) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("12,00", "thousands groups"),
        ("1,2000", "thousands groups"),
        (",100", "thousands groups"),
        ("1.005", "more than 2 decimals"),
        ("-5", "negative"),
        ("$1200", "not a plain number"),
        ("1200 USD", "not a plain number"),
        ("1e3", "not a plain number"),
        ("abc", "not a number"),
        ("1.2.3", "not a number"),
        ("1200.", "not a number"),
        ("", "empty"),
        ("1000000000000.01", "more than 1,000,000,000,000"),
    ],
)
def test_parse_money_refuses_other_forms(value, fragment):
    message = refused(parse_money, value, "budget", field="budget", fragment=fragment)
    assert "`1,200.50`" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [("15", "15"), ("15%", "15"), ("12.5", "12.5"), ("-20", "-20"), ("-20%", "-20"), ("0.25", "0.25")],
)
def test_parse_pct_accepts_plain_and_percent_sign(value, expected):
    assert parse_pct(value, "min_roi") == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "kwargs", "fragment"),
    [
        ("abc", {}, "not a number"),
        ("12.345", {}, "more than 2 decimals"),
        ("15%%", {}, "not a number"),
        ("-1", {"minimum": 0}, "below the minimum of 0%"),
        ("101", {"maximum": 100}, "above the maximum of 100%"),
        ("2000000", {}, "above the maximum"),
    ],
)
def test_parse_pct_refuses_bad_values_and_bounds(value, kwargs, fragment):
    refused(parse_pct, value, "commission", field="commission", fragment=fragment, **kwargs)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12000", 12000),
        ("12,000", 12000),
        ("12k", 12000),
        ("3.5K", 3500),
        ("1.2m", 1_200_000),
        ("2M", 2_000_000),
        ("1,500k", 1_500_000),
        ("0", 0),
    ],
)
def test_parse_int_accepts_groups_and_suffixes(value, expected):
    assert parse_int(value, "followers") == expected


@pytest.mark.parametrize(
    ("value", "kwargs", "fragment"),
    [
        ("1.5", {}, "not a whole number"),
        ("1.2345k", {}, "not a whole number"),
        ("12,00", {}, "thousands groups"),
        ("-1", {}, "below the minimum of 0"),
        ("400", {"maximum": 365}, "above the maximum of 365"),
        ("k", {}, "empty"),
        ("ten", {}, "not a number"),
    ],
)
def test_parse_int_refuses_bad_values_and_bounds(value, kwargs, fragment):
    refused(parse_int, value, "grace_days", field="grace_days", fragment=fragment, **kwargs)


def test_parse_date_reads_iso_dates():
    assert parse_date("2026-03-01", "start") == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("2026-02-30", "is not a date"), ("2026-13-01", "is not a date"), ("1/3/2026", "YYYY-MM-DD"), ("", "")],
)
def test_parse_date_refuses_other_forms(value, fragment):
    refused(parse_date, value, "end", field="end", fragment=fragment)


@pytest.mark.parametrize("value", ["2000-01-01", "2100-12-31"])
def test_parse_date_accepts_the_first_and_last_accepted_days(value):
    assert parse_date(value, "start") == date.fromisoformat(value)


@pytest.mark.parametrize(("value", "fragment"), [
    ("1999-12-31", "1999-12-31 is before 2000-01-01"),
    ("0001-01-01", "0001-01-01 is before 2000-01-01"),
    ("2101-01-01", "2101-01-01 is after 2100-12-31"),
    ("9999-12-31", "9999-12-31 is after 2100-12-31"),
])
def test_parse_date_refuses_days_outside_2000_to_2100_giving_the_range(value, fragment):
    message = refused(parse_date, value, "from", field="from", fragment=fragment)
    assert "from 2000-01-01 to 2100-12-31" in message


def test_parse_money_with_a_maximum_refuses_one_cent_more():
    assert parse_money("1,000,000,000", "amount", maximum=Decimal(10**9)) == Decimal("1000000000.00")
    message = refused(parse_money, "1000000000.01", "amount", maximum=Decimal(10**9), field="amount",
                      fragment="1,000,000,000.01 is more than 1,000,000,000")
    assert "at most 1,000,000,000" in message


def test_strip_invisible_takes_out_zero_width_characters_and_nothing_else():
    assert strip_invisible("\ufeffGOOD\u200b1\u20600 é ") == "GOOD10 é "


@pytest.mark.parametrize(
    ("parser", "value", "expected"),
    [
        (parse_name, "Spring-2026_a", "Spring-2026_a"),
        (parse_name, "x" * 40, "x" * 40),
        (parse_code, "ANA-15_off", "ANA-15_off"),
        (parse_code, "c" * 64, "c" * 64),
        (parse_handle, "@ana.makes", "ana.makes"),
        (parse_handle, "Ana_Makes-2", "Ana_Makes-2"),
        (parse_handle, "h" * 64, "h" * 64),
    ],
)
def test_identifiers_accept_their_characters(parser, value, expected):
    assert parser(value) == expected


@pytest.mark.parametrize(
    ("parser", "value", "field", "fragment"),
    [
        (parse_name, "spring sale", "campaign", "ASCII letters"),
        (parse_name, "früh", "campaign", "ASCII letters"),
        (parse_name, "x" * 41, "campaign", "longer than 40"),
        (parse_name, "", "campaign", "empty"),
        (parse_code, "ANA.15", "code", "other than"),
        (parse_code, "c" * 65, "code", "longer than 64"),
        (parse_handle, "<@U123ABC>", "handle", "looks like a Slack mention"),
        (parse_handle, "<!channel>", "handle", "looks like a Slack mention"),
        (parse_handle, "<#C123|growth>", "handle", "looks like a Slack mention"),
        (parse_handle, "ana makes", "handle", "other than"),
        (parse_handle, "@", "handle", "empty"),
        (parse_handle, "h" * 65, "handle", "longer than 64"),
    ],
)
def test_identifiers_refuse_other_characters(parser, value, field, fragment):
    refused(parser, value, field=field, fragment=fragment)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Instagram", "instagram"), ("TIKTOK", "tiktok"), ("twitter", "x"), ("ig", "instagram"), ("other", "other")],
)
def test_parse_platform_accepts_names_and_aliases(value, expected):
    assert parse_platform(value) == expected


def test_parse_platform_refuses_others_listing_choices():
    message = refused(parse_platform, "instagarm", field="platform", fragment="did you mean `instagram`")
    assert "`tiktok`" in message


def test_parse_choice_returns_canonical_spelling():
    assert parse_choice("CUT", "status", ("active", "cut")) == "cut"


def test_parse_choice_refuses_with_suggestion():
    refused(parse_choice, "activ", "status", ("active", "cut"), field="status", fragment="did you mean `active`")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<#C123|growth>", ChannelRef("C123", "growth")),
        ("<#C123|>", ChannelRef("C123", None)),
        ("<#C123>", ChannelRef("C123", None)),
        ("<#G0123ABCD>", ChannelRef("G0123ABCD", None)),
        ("C0123ABCD", ChannelRef("C0123ABCD", None)),
        ("#growth", ChannelRef(None, "growth")),
        ("Growth-Team", ChannelRef(None, "growth-team")),
    ],
)
def test_parse_channel_reads_markup_ids_and_names(value, expected):
    assert parse_channel(value) == expected


@pytest.mark.parametrize("value", ["<@U123>", "#", "#has space", "<https://x.com>", "#bad!"])
def test_parse_channel_refuses_others_with_hint(value):
    refused(parse_channel, value, field="channel", fragment="autocomplete")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<@U123|ana>", UserRef("U123", "ana")),
        ("<@U123>", UserRef("U123", None)),
        ("<@W123>", UserRef("W123", None)),
        ("U0123ABCD", UserRef("U0123ABCD", None)),
        ("@Ana", UserRef(None, "ana")),
    ],
)
def test_parse_user_reads_mentions_ids_and_names(value, expected):
    assert parse_user(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("<!channel>", "not one person"),
        ("<!here>", "not one person"),
        ("<!subteam^S1|@team>", "not one person"),
        ("<#C123|growth>", "not a Slack member"),
        ("@ana smith", "not a Slack member"),
    ],
)
def test_parse_user_refuses_groups_and_others(value, fragment):
    message = refused(parse_user, value, field="manager", fragment=fragment)
    assert "<!" not in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<https://shop.com/p?a=1&amp;b=2>", "https://shop.com/p?a=1&b=2"),
        ("<https://shop.com|shop.com>", "https://shop.com"),
        ("<http://shop.com/x|my label>", "http://shop.com/x"),
        ("https://shop.com/p?a=1&b=2", "https://shop.com/p?a=1&b=2"),
        ("<https://shop.com/?q=&amp;lt;>", "https://shop.com/?q=&lt;"),
    ],
)
def test_parse_url_reads_markup_and_plain_links(value, expected):
    assert parse_url(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("<mailto:a@b.c|a@b.c>", "http(s) link"),
        ("ftp://shop.com", "http(s) link"),
        ("shop.com/p", "http(s) link"),
        ("https://", "http(s) link"),
        ("https://shop.com:99999/", "not a valid link"),
        ("<@U123>", "not a link"),
        ("https://shop.com/" + "a" * 2000, "longer than 2,000"),
    ],
)
def test_parse_url_refuses_other_links(value, fragment):
    refused(parse_url, value, field="url", fragment=fragment)


@pytest.mark.parametrize(("value", "fragment"), [
    ("https://shop.com/p|x", "contains `|`"),
    ("https://user:pass@shop.com/p", "`user:password@` part"),
    ("<https://ana@shop.com/p|shop>", "`user:password@` part"),
    ("https://shop.com@evil.example/p", "`user:password@` part"),
    ("https://shop.com/<b>", "contains `&lt;` and `&gt;`"),  # as parse_args hands a plain value over
    ("<https://shop.com/&lt;b>", "contains `&lt;`"),  # inside markup Slack's escapes are still in place
    ("https://shop.com/a\tb", "spaces or invisible characters"),
    ("https://shop.com/a\u202eb", "spaces or invisible characters"),
    ("https://shop.com/a\u200bb", "spaces or invisible characters"),
    ("https://shop.com/a\x7fb", "spaces or invisible characters"),
])
def test_parse_url_refuses_what_would_break_or_hide_in_slack_link_markup(value, fragment):
    message = refused(parse_url, value, "post", field="post", fragment=fragment)
    assert "no spaces, vertical bars or angle brackets" in message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://shop.com/p",
            "https://shop.com/p?utm_source=instagram&utm_medium=influencer"
            "&utm_campaign=spring&utm_content=ana.makes",
        ),
        (
            "https://shop.com/p?a=1&UTM_Source=old&b=x%20y&utm_term=t#top",
            "https://shop.com/p?a=1&b=x%20y&utm_source=instagram&utm_medium=influencer"
            "&utm_campaign=spring&utm_content=ana.makes#top",
        ),
    ],
)
def test_tracking_url_replaces_utm_and_keeps_the_rest(url, expected):
    assert tracking_url(url, platform="instagram", campaign="spring", handle="ana.makes") == expected


def test_tracking_url_encodes_values():
    url = tracking_url("https://s.com/", platform="blog", campaign="a&b", handle="x y")
    assert url.endswith("utm_campaign=a%26b&utm_content=x%20y")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("<!channel> & <@U1>", "&lt;!channel&gt; &amp; &lt;@U1&gt;"), ("&lt;", "&amp;lt;"), ("plain", "plain")],
)
def test_escape_mrkdwn_neutralizes_markup(text, expected):
    assert esc(text) == expected
    assert unescape_slack(expected) == text


def test_a_small_count_out_of_range_suggests_its_range_not_thousands():
    message = refused(parse_int, "0", "n", minimum=1, maximum=25, field="n", fragment="below the minimum of 1")

    assert "from 1 to 25" in message and "12k" not in message
