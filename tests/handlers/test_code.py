"""`/code` end to end: discount codes per influencer and campaign, the attribution-window rule for codes
reused across seasons, tracking links with UTM parameters, list and remove."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from bot.fakeslack.driver import Answer
from bot.models import Base, Campaign, Code, Enrolment, Influencer
from handlers.values import escape_mrkdwn
from slackschema import assert_valid_message


def answered(answer: Answer) -> str:
    """The reply's text, after checking Slack got a 200 and one valid Block Kit message."""
    assert answer.status == 200
    assert_valid_message(answer.reply)
    return answer.text


def refused(answer: Answer, field: str) -> str:
    """The reply's text, after checking it is a valid message that names `field`."""
    text = answered(answer)
    assert f"`{field}`" in text, text
    return text


def stored(sessions) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: a snapshot to prove nothing was written."""
    with sessions() as session:
        return {
            table.name: [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def codes(sessions) -> list[tuple[str, str, str]]:
    """Every stored code as (code, handle, campaign), in the order they were added."""
    with sessions() as session:
        return [tuple(row) for row in session.execute(
            select(Code.code, Influencer.handle, Campaign.name)
            .join(Enrolment, Code.enrolment_id == Enrolment.id)
            .join(Influencer, Enrolment.influencer_id == Influencer.id)
            .join(Campaign, Code.campaign_id == Campaign.id)
            .order_by(Code.id)
        )]


def stored_url(sessions, code: str) -> str | None:
    """The tracking link stored with `code` (the only registration of it)."""
    with sessions() as session:
        return session.scalars(select(Code.url).where(Code.code_key == code.lower())).one()


@pytest.fixture
def spring(roi):
    """March 2026 with the default 7-day window (orders count 2026-03-01 → 2026-04-07); ana and ben enrolled."""
    answered(roi.command("/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31"))
    answered(roi.command("/influencer add ana platform=instagram campaign=spring"))
    answered(roi.command("/influencer add ben platform=tiktok campaign=spring"))
    return "spring"


def season(roi, name: str, dates: str, enrol: str = "") -> None:
    """Create campaign `name` with `dates` and enrol ana in it (with `enrol` terms)."""
    answered(roi.command(f"/campaign create {name} budget=1000 {dates}"))
    answered(roi.command(f"/influencer add ana campaign={name} {enrol}"))


# -- add -----------------------------------------------------------------------------------------


def test_add_registers_the_code_for_the_influencer_in_the_campaign(roi, sessions, spring):
    text = answered(roi.command("/code add Ana10 @ana campaign=SPRING"))

    assert "Ana10" in text and "ana" in text and "spring" in text
    assert codes(sessions) == [("Ana10", "ana", "spring")]
    assert stored_url(sessions, "ana10") is None


def test_add_refuses_a_code_taken_in_the_campaign_case_insensitively(roi, sessions, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    before = stored(sessions)

    text = answered(roi.command("/code add ana10 ben campaign=spring"))

    assert "ANA10" in text and "ana" in text
    assert stored(sessions) == before


def test_an_influencer_may_hold_several_codes_in_a_campaign(roi, sessions, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring"))

    answered(roi.command("/code add ANA-VIP ana campaign=spring"))

    assert codes(sessions) == [("ANA10", "ana", "spring"), ("ANA-VIP", "ana", "spring")]


@pytest.mark.parametrize(("dates", "accepted"), [
    # spring's window is 2026-03-01 → 2026-04-07
    ("start=2026-04-07 end=2026-04-30", False),
    ("start=2026-04-08 end=2026-04-30", True),
    ("start=2026-04-08", True),
    ("start=2026-03-15 end=2026-03-20", False),
    ("start=2026-01-01 end=2026-02-21", True),   # its window ends 2026-02-28
    ("start=2026-01-01 end=2026-02-22", False),  # its window ends 2026-03-01, spring's first day
    ("start=2026-01-01 end=2026-02-22 window_days=0", True),
    ("end=2026-02-10", True),                     # no start: open to the past, ends 2026-02-17
    ("end=2026-03-05", False),
    ("", False),                                  # no dates at all: open on both sides
])
def test_the_same_code_in_another_campaign_is_accepted_only_when_windows_do_not_overlap(
        roi, sessions, spring, dates, accepted):
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    # Without a campaign start the enrolment would start today, after some of these campaigns end.
    season(roi, "summer", dates, enrol="" if "start=" in dates else "start=2026-01-01")
    before = stored(sessions)

    text = answered(roi.command("/code add ana10 ana campaign=summer"))

    if accepted:
        assert codes(sessions) == [("ANA10", "ana", "spring"), ("ana10", "ana", "summer")]
    else:
        assert "spring" in text and "overlap" in text
        assert stored(sessions) == before


def test_window_days_of_the_first_campaign_decide_the_edge(roi, sessions):
    season(roi, "spring", "start=2026-03-01 end=2026-03-31 window_days=0")
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    season(roi, "april", "start=2026-04-01 end=2026-04-30")

    answered(roi.command("/code add ANA10 ana campaign=april"))

    assert [c[2] for c in codes(sessions)] == ["spring", "april"]


def test_an_open_ended_campaign_overlaps_every_later_one(roi, sessions):
    season(roi, "always", "start=2026-01-01")
    answered(roi.command("/code add ANA10 ana campaign=always"))
    season(roi, "far", "start=2030-01-01 end=2030-01-31")
    before = stored(sessions)

    text = answered(roi.command("/code add ANA10 ana campaign=far"))

    assert "always" in text
    assert stored(sessions) == before


def test_an_ended_open_campaign_frees_the_code_for_later_seasons(roi, sessions, clock):
    season(roi, "always", "start=2026-01-01")
    answered(roi.command("/code add ANA10 ana campaign=always"))
    answered(roi.command("/campaign end always"))  # ends today, 2026-03-16: window to 2026-03-23
    season(roi, "april", "start=2026-04-01 end=2026-04-30")

    answered(roi.command("/code add ANA10 ana campaign=april"))

    assert [c[2] for c in codes(sessions)] == ["always", "april"]


def test_the_code_may_move_to_another_influencer_in_a_later_season(roi, sessions, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/campaign create winter budget=1000 start=2026-12-01 end=2026-12-31"))
    answered(roi.command("/influencer add ben campaign=winter"))

    answered(roi.command("/code add ANA10 ben campaign=winter"))

    assert codes(sessions) == [("ANA10", "ana", "spring"), ("ANA10", "ben", "winter")]


def test_changing_dates_so_a_shared_code_would_overlap_is_refused(roi, sessions, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    season(roi, "summer", "start=2026-06-01 end=2026-06-30")
    answered(roi.command("/code add ANA10 ana campaign=summer"))
    before = stored(sessions)

    text = answered(roi.command("/campaign set summer start=2026-04-01"))

    assert "ANA10" in text and "spring" in text
    assert stored(sessions) == before


def test_code_for_an_influencer_not_in_the_campaign_is_refused(roi, sessions, spring):
    answered(roi.command("/campaign create summer budget=1000 start=2026-06-01"))
    before = stored(sessions)

    text = answered(roi.command("/code add ANA10 ana campaign=summer"))

    assert "ana" in text and "summer" in text and "/influencer add" in text
    assert stored(sessions) == before


@pytest.mark.parametrize(("line", "field"), [
    ("/code add ANA10 ana", "campaign"),
    ("/code add ANA10 campaign=spring", "HANDLE"),
    ("/code add campaign=spring", "CODE"),
    ("/code add ANA%10 ana campaign=spring", "code"),
    ("/code add ANA.10 ana campaign=spring", "code"),
    (f"/code add {'A' * 65} ana campaign=spring", "code"),
    ("/code add <!channel> ana campaign=spring", "code"),
    ("/code add ANA10 ana! campaign=spring", "handle"),
    ("/code add ANA10 ana campaign=spr!ng", "campaign"),
    ("/code add ANA10 ana campaign=spring url=shop.example", "url"),
    ("/code add ANA10 ana campaign=spring url=ftp://shop.example/x", "url"),
    ("/code add ANA10 ana campaign=spring url=<@U0001>", "url"),
    ("/code add ANA10 ana campaign=spring link=https://shop.example", "link"),
    ("/code add ANA10 ana extra campaign=spring", "arguments"),
])
def test_add_refuses_bad_input_naming_the_field_and_writes_nothing(roi, sessions, spring, line, field):
    before = stored(sessions)

    refused(roi.command(line), field)

    assert stored(sessions) == before


def test_add_of_an_unknown_influencer_or_campaign_writes_nothing(roi, sessions, spring):
    before = stored(sessions)

    assert "`bob`" in answered(roi.command("/code add BOB10 bob campaign=spring"))
    assert "`winter`" in answered(roi.command("/code add ANA10 ana campaign=winter"))
    assert stored(sessions) == before


def test_a_code_of_sixty_four_characters_is_accepted(roi, sessions, spring):
    answered(roi.command(f"/code add {'A' * 64} ana campaign=spring"))

    assert codes(sessions) == [("A" * 64, "ana", "spring")]


# -- tracking links ------------------------------------------------------------------------------


def query(url: str) -> list[tuple[str, str]]:
    """The query parameters of `url`, in order."""
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_url_becomes_a_tracking_link_with_utm_parameters(roi, sessions, spring):
    answer = roi.command("/code add ANA10 ana campaign=spring url=<https://shop.example/spring>")

    text = answered(answer)

    link = stored_url(sessions, "ANA10")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "shop.example", "/spring")
    assert dict(query(link)) == {"utm_source": "instagram", "utm_medium": "influencer", "utm_campaign": "spring",
                                 "utm_content": "ana"}
    assert escape_mrkdwn(link) in text


def test_tracking_link_replaces_existing_utm_and_keeps_the_rest(roi, sessions, spring):
    # Slack sends `&` as `&amp;` and wraps links in angle brackets.
    typed = "<https://shop.example/p?ref=news&amp;UTM_Source=old&amp;utm_medium=email&amp;color=red%20blue#reviews|shop>"

    text = answered(roi.command(f"/code add BEN10 ben campaign=spring url={typed}"))

    link = stored_url(sessions, "BEN10")
    params = query(link)
    assert [(k, v) for k, v in params if not k.lower().startswith("utm_")] == [("ref", "news"), ("color", "red blue")]
    assert [k for k, _ in params if k.lower().startswith("utm_")] == [
        "utm_source", "utm_medium", "utm_campaign", "utm_content"]
    assert dict(params)["utm_source"] == "tiktok"
    assert dict(params)["utm_medium"] == "influencer"
    assert urlsplit(link).fragment == "reviews"
    assert escape_mrkdwn(link) in text


def test_tracking_link_uses_the_names_as_stored(roi, sessions):
    season(roi, "Spring_26", "start=2026-03-01")
    answered(roi.command("/influencer set ana platform=youtube handle=Ana.Makes"))

    answered(roi.command("/code add ANA10 ana.makes campaign=spring_26 url=https://shop.example/"))

    params = dict(query(stored_url(sessions, "ANA10")))
    assert (params["utm_source"], params["utm_campaign"], params["utm_content"]) == ("youtube", "Spring_26", "Ana.Makes")


def test_plain_url_is_accepted_too(roi, sessions, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring url=https://shop.example/x?a=1"))

    assert dict(query(stored_url(sessions, "ANA10")))["a"] == "1"


# -- list ----------------------------------------------------------------------------------------


def table_rows(reply: dict) -> list[list[str]]:
    """The cells of the reply's table block, header row first."""
    tables = [b for b in reply["blocks"] if b["type"] == "table"]
    assert len(tables) == 1
    return [[cell["text"] for cell in row] for row in tables[0]["rows"]]


def test_list_shows_every_code_with_influencer_and_campaign(roi, spring):
    season(roi, "winter", "start=2026-12-01 end=2026-12-31")
    answered(roi.command("/code add ANA10 ana campaign=spring url=https://shop.example/"))
    answered(roi.command("/code add BEN10 ben campaign=spring"))
    answered(roi.command("/code add ANA10 ana campaign=winter"))

    answer = roi.command("/code list")

    answered(answer)
    body = table_rows(answer.reply)[1:]
    assert sorted(tuple(row[:3]) for row in body) == [("ANA10", "ana", "spring"), ("ANA10", "ana", "winter"),
                                                     ("BEN10", "ben", "spring")]
    assert any("utm_content=ana" in cell for row in body for cell in row)


def test_list_with_campaign_shows_only_its_codes(roi, spring):
    season(roi, "winter", "start=2026-12-01 end=2026-12-31")
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/code add WINTER ana campaign=winter"))

    answer = roi.command("/code list campaign=Winter")

    answered(answer)
    assert [row[0] for row in table_rows(answer.reply)[1:]] == ["WINTER"]


def test_list_with_no_codes_says_how_to_add_one(roi, spring):
    text = answered(roi.command("/code list"))

    assert "/code add" in text


# -- remove --------------------------------------------------------------------------------------


def test_remove_deletes_the_code_case_insensitively(roi, sessions, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/code add BEN10 ben campaign=spring"))

    text = answered(roi.command("/code remove ana10"))

    assert "ANA10" in text
    assert codes(sessions) == [("BEN10", "ben", "spring")]


def test_remove_of_a_code_in_two_campaigns_needs_the_campaign(roi, sessions, spring):
    season(roi, "winter", "start=2026-12-01 end=2026-12-31")
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/code add ANA10 ana campaign=winter"))
    before = stored(sessions)

    text = refused(roi.command("/code remove ANA10"), "campaign")

    assert "`spring`" in text and "`winter`" in text
    assert stored(sessions) == before

    answered(roi.command("/code remove ANA10 campaign=winter"))

    assert codes(sessions) == [("ANA10", "ana", "spring")]


def test_remove_with_a_campaign_leaves_the_code_elsewhere(roi, sessions, spring):
    season(roi, "winter", "start=2026-12-01 end=2026-12-31")
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/code add ANA10 ana campaign=winter"))

    answered(roi.command("/code remove ANA10 campaign=spring"))

    assert codes(sessions) == [("ANA10", "ana", "winter")]


def test_remove_keeps_the_enrolment(roi, sessions, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    enrolments_before = stored(sessions)["enrolments"]

    answered(roi.command("/code remove ANA10"))

    assert stored(sessions)["enrolments"] == enrolments_before


@pytest.mark.parametrize(("line", "missing"), [
    ("/code remove NOPE", "NOPE"),
    ("/code remove ANA10 campaign=winter-x", "winter-x"),
    ("/code remove ANA10 campaign=spring-b", "ANA10"),
])
def test_remove_of_a_code_that_is_not_there_writes_nothing(roi, sessions, spring, line, missing):
    answered(roi.command("/campaign create spring-b budget=1"))
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    before = stored(sessions)

    text = answered(roi.command(line))

    assert f"`{missing}`" in text
    assert stored(sessions) == before


@pytest.mark.parametrize(("line", "field"), [
    ("/code remove", "CODE"),
    ("/code remove ANA!0", "code"),
    ("/code remove ANA10 campaign=spr!ng", "campaign"),
    ("/code remove ANA10 spring", "arguments"),
    ("/code remove ANA10 handle=ana", "handle"),
])
def test_remove_refuses_bad_input_naming_the_field(roi, sessions, spring, line, field):
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    before = stored(sessions)

    refused(roi.command(line), field)

    assert stored(sessions) == before


# -- usage -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["/code", "/code help"])
def test_help_and_no_arguments_show_usage_of_every_sub_command(roi, line):
    text = answered(roi.command(line))

    for form in ("add CODE HANDLE campaign=NAME", "list", "remove CODE"):
        assert f"/code {form}" in text


def test_unknown_sub_command_is_refused(roi):
    refused(roi.command("/code delete ANA10"), "sub-command")


def test_campaign_show_lists_each_influencers_codes(roi, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/code add ANA-VIP ana campaign=spring"))

    answer = roi.command("/campaign show spring")

    answered(answer)
    head, *body = table_rows(answer.reply)
    by_handle = {row[0]: row[head.index("Codes")] for row in body}
    assert set(by_handle["ana"].split(", ")) == {"ANA10", "ANA-VIP"}
    assert by_handle["ben"] not in ("ANA10", "ANA-VIP")


def test_renaming_the_campaign_or_the_influencer_rebuilds_stored_tracking_links(roi, sessions):
    roi.command("/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31")
    roi.command("/influencer add ana platform=instagram campaign=spring fee=100")
    roi.command("/code add ANA10 ana campaign=spring url=https://shop.example.com/p?ref=1")
    answer = roi.command("/campaign set spring name=spring26")
    assert_valid_message(answer.reply)
    assert "1 tracking link was updated" in answer.text
    answer = roi.command("/influencer set ana handle=ana.beauty platform=tiktok")
    assert "1 tracking link was updated" in answer.text
    with sessions() as session:
        url = session.scalar(select(Code.url))
    assert url == ("https://shop.example.com/p?ref=1&utm_source=tiktok&utm_medium=influencer"
                   "&utm_campaign=spring26&utm_content=ana.beauty")
