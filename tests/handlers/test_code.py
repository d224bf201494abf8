"""`/code` end to end: discount codes per influencer and campaign, the attribution-window rule for codes
reused across seasons, list and remove.
On SQLite only, except the list tests and `/campaign show` (their queries live in handlers/): what depends on
the database is tested on both in tests/bot/registry/test_code_rules.py (case-insensitive codes, window overlaps, remove)."""

from __future__ import annotations

import pytest

from conftest import SQLITE_ONLY
from registry_support import (
    answered, codes, refused, season, spring_with_ana_and_ben, stored, stored_url, table_rows, unchanged,
)

spring = pytest.fixture(spring_with_ana_and_ben)


# -- add -----------------------------------------------------------------------------------------


@SQLITE_ONLY
def test_add_registers_the_code_for_the_influencer_in_the_campaign(roi, sessions, spring):
    text = answered(roi.command("/code add Ana10 @ana campaign=SPRING"))

    assert "Ana10" in text and "ana" in text and "spring" in text
    assert codes(sessions) == [("Ana10", "ana", "spring")]
    assert stored_url(sessions, "ana10") is None


@SQLITE_ONLY
def test_an_influencer_may_hold_several_codes_in_a_campaign(roi, sessions, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring"))

    answered(roi.command("/code add ANA-VIP ana campaign=spring"))

    assert codes(sessions) == [("ANA10", "ana", "spring"), ("ANA-VIP", "ana", "spring")]


@SQLITE_ONLY
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


@SQLITE_ONLY
@pytest.mark.parametrize(("first", "dates", "then"), [
    pytest.param("spring", "start=2026-03-01 end=2026-03-31 window_days=0", None,
                 id="window-days-of-the-first-campaign-decide-the-edge"),
    pytest.param("always", "start=2026-01-01", "/campaign end always",  # ends today, 2026-03-16: window to 2026-03-23
                 id="an-ended-open-campaign-frees-the-code-for-later-seasons"),
])
def test_the_code_is_free_again_once_the_first_campaigns_window_is_over(roi, sessions, first, dates, then):
    season(roi, first, dates)
    answered(roi.command(f"/code add ANA10 ana campaign={first}"))
    if then:
        answered(roi.command(then))
    season(roi, "april", "start=2026-04-01 end=2026-04-30")

    answered(roi.command("/code add ANA10 ana campaign=april"))

    assert [c[2] for c in codes(sessions)] == [first, "april"]


@SQLITE_ONLY
def test_an_open_ended_campaign_overlaps_every_later_one(roi, sessions):
    season(roi, "always", "start=2026-01-01")
    answered(roi.command("/code add ANA10 ana campaign=always"))
    season(roi, "far", "start=2030-01-01 end=2030-01-31")

    with unchanged(sessions):
        text = answered(roi.command("/code add ANA10 ana campaign=far"))

    assert "always" in text


@SQLITE_ONLY
def test_the_code_may_move_to_another_influencer_in_a_later_season(roi, sessions, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/campaign create winter budget=1000 start=2026-12-01 end=2026-12-31"))
    answered(roi.command("/influencer add ben campaign=winter"))

    answered(roi.command("/code add ANA10 ben campaign=winter"))

    assert codes(sessions) == [("ANA10", "ana", "spring"), ("ANA10", "ben", "winter")]


@SQLITE_ONLY
@pytest.mark.parametrize(("setup", "line", "mentioned"), [
    pytest.param(["/code add ANA10 ana campaign=spring"], "/code add ana10 ben campaign=spring", ["ANA10", "ana"],
                 id="add-of-a-code-taken-in-the-campaign-case-insensitively"),
    pytest.param(["/code add ANA10 ana campaign=spring",
                  "/campaign create summer budget=1000 start=2026-06-01 end=2026-06-30",
                  "/influencer add ana campaign=summer",
                  "/code add ANA10 ana campaign=summer"],
                 "/campaign set summer start=2026-04-01", ["ANA10", "spring"],
                 id="changing-dates-so-a-shared-code-would-overlap"),
    pytest.param(["/campaign create summer budget=1000 start=2026-06-01"],
                 "/code add ANA10 ana campaign=summer", ["ana", "summer", "/influencer add"],
                 id="code-for-an-influencer-not-in-the-campaign"),
])
def test_a_refused_code_change_says_why_and_writes_nothing(roi, sessions, spring, setup, line, mentioned):
    for command in setup:
        answered(roi.command(command))

    with unchanged(sessions):
        text = answered(roi.command(line))

    for fragment in mentioned:
        assert fragment in text


@SQLITE_ONLY
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
    with unchanged(sessions):
        refused(roi.command(line), field)


@SQLITE_ONLY
def test_add_of_an_unknown_influencer_or_campaign_writes_nothing(roi, sessions, spring):
    with unchanged(sessions):
        assert "`bob`" in answered(roi.command("/code add BOB10 bob campaign=spring"))
        assert "`winter`" in answered(roi.command("/code add ANA10 ana campaign=winter"))


@SQLITE_ONLY
def test_a_code_of_sixty_four_characters_is_accepted(roi, sessions, spring):
    answered(roi.command(f"/code add {'A' * 64} ana campaign=spring"))

    assert codes(sessions) == [("A" * 64, "ana", "spring")]


# -- list ----------------------------------------------------------------------------------------


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


@SQLITE_ONLY
def test_remove_deletes_the_code_case_insensitively(roi, sessions, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/code add BEN10 ben campaign=spring"))

    text = answered(roi.command("/code remove ana10"))

    assert "ANA10" in text
    assert codes(sessions) == [("BEN10", "ben", "spring")]


@SQLITE_ONLY
def test_remove_of_a_code_in_two_campaigns_needs_the_campaign(roi, sessions, spring):
    season(roi, "winter", "start=2026-12-01 end=2026-12-31")
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/code add ANA10 ana campaign=winter"))

    with unchanged(sessions):
        text = refused(roi.command("/code remove ANA10"), "campaign")

    assert "`spring`" in text and "`winter`" in text

    answered(roi.command("/code remove ANA10 campaign=winter"))

    assert codes(sessions) == [("ANA10", "ana", "spring")]


@SQLITE_ONLY
def test_remove_with_a_campaign_leaves_the_code_elsewhere(roi, sessions, spring):
    season(roi, "winter", "start=2026-12-01 end=2026-12-31")
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/code add ANA10 ana campaign=winter"))

    answered(roi.command("/code remove ANA10 campaign=spring"))

    assert codes(sessions) == [("ANA10", "ana", "winter")]


@SQLITE_ONLY
def test_remove_keeps_the_enrolment(roi, sessions, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    enrolments_before = stored(sessions)["enrolments"]

    answered(roi.command("/code remove ANA10"))

    assert stored(sessions)["enrolments"] == enrolments_before


@SQLITE_ONLY
@pytest.mark.parametrize(("line", "missing"), [
    ("/code remove NOPE", "NOPE"),
    ("/code remove ANA10 campaign=winter-x", "winter-x"),
    ("/code remove ANA10 campaign=spring-b", "ANA10"),
])
def test_remove_of_a_code_that_is_not_there_writes_nothing(roi, sessions, spring, line, missing):
    answered(roi.command("/campaign create spring-b budget=1"))
    answered(roi.command("/code add ANA10 ana campaign=spring"))

    with unchanged(sessions):
        text = answered(roi.command(line))

    assert f"`{missing}`" in text


@SQLITE_ONLY
@pytest.mark.parametrize(("line", "field"), [
    ("/code remove", "CODE"),
    ("/code remove ANA!0", "code"),
    ("/code remove ANA10 campaign=spr!ng", "campaign"),
    ("/code remove ANA10 spring", "arguments"),
    ("/code remove ANA10 handle=ana", "handle"),
])
def test_remove_refuses_bad_input_naming_the_field(roi, sessions, spring, line, field):
    answered(roi.command("/code add ANA10 ana campaign=spring"))

    with unchanged(sessions):
        refused(roi.command(line), field)


# -- usage -----------------------------------------------------------------------------------------


@SQLITE_ONLY
@pytest.mark.parametrize("line", ["/code", "/code help"])
def test_help_and_no_arguments_show_usage_of_every_sub_command(roi, line):
    text = answered(roi.command(line))

    for form in ("add CODE HANDLE campaign=NAME", "list", "remove CODE"):
        assert f"/code {form}" in text


@SQLITE_ONLY
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
