"""`/influencer` end to end: adding and enrolling, handles, followers and managers, list, show, remove,
set (influencer and enrolment keys) and engagement stats, read back from the database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.fakeslack.driver import Answer
from bot.models import Base, Campaign, Code, EngagementStat, Enrolment, Influencer, Order, Workspace
from slackschema import assert_valid_message

BEN = {"id": "U0BEN00001", "name": "ben", "real_name": "Ben Ode", "profile": {"display_name": "benji"}}


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


def person(sessions, handle: str) -> Influencer | None:
    """The stored influencer with `handle` (case-insensitive), or None."""
    with sessions() as session:
        return session.scalar(select(Influencer).where(Influencer.handle_key == handle.lower()))


def enrolment(sessions, handle: str, campaign: str) -> Enrolment | None:
    """The stored enrolment of `handle` in `campaign`, or None."""
    with sessions() as session:
        return session.scalar(
            select(Enrolment)
            .join(Influencer, Enrolment.influencer_id == Influencer.id)
            .join(Campaign, Enrolment.campaign_id == Campaign.id)
            .where(Influencer.handle_key == handle.lower(), Campaign.name_key == campaign.lower())
        )


def stats_of(sessions, handle: str) -> list[EngagementStat]:
    """The stored engagement rows of `handle`, oldest first."""
    with sessions() as session:
        return list(session.scalars(
            select(EngagementStat)
            .join(Enrolment, EngagementStat.enrolment_id == Enrolment.id)
            .join(Influencer, Enrolment.influencer_id == Influencer.id)
            .where(Influencer.handle_key == handle.lower())
            .order_by(EngagementStat.id)
        ))


def count(sessions, model) -> int:
    """How many rows `model`'s table holds."""
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def table_rows(reply: dict) -> list[list[str]]:
    """The cells of the reply's table block, header row first."""
    tables = [b for b in reply["blocks"] if b["type"] == "table"]
    assert len(tables) == 1
    return [[cell["text"] for cell in row] for row in tables[0]["rows"]]


@pytest.fixture
def spring(roi):
    """A campaign with dates, the usual one to enrol people in."""
    answered(roi.command("/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31"))
    return "spring"


@pytest.fixture
def autumn(roi):
    """A campaign without dates."""
    answered(roi.command("/campaign create autumn budget=3000"))
    return "autumn"


# -- add -----------------------------------------------------------------------------------------


def test_add_registers_an_influencer_with_defaults(roi, sessions):
    text = answered(roi.command("/influencer add ana.makes"))

    assert "ana.makes" in text
    row = person(sessions, "ana.makes")
    assert (row.handle, row.platform, row.followers, row.manager_id) == ("ana.makes", "other", None, None)
    assert count(sessions, Enrolment) == 0


def test_add_stores_platform_followers_and_manager(roi, sessions):
    answered(roi.command("/influencer add ana.makes Platform=TikTok followers=25k manager=<@U0ANA0001|ana>"))

    row = person(sessions, "ana.makes")
    assert (row.platform, row.followers, row.manager_id) == ("tiktok", 25_000, "U0ANA0001")


def test_add_drops_a_leading_at_from_the_handle(roi, sessions):
    answered(roi.command("/influencer add @ana.makes"))

    assert person(sessions, "ana.makes").handle == "ana.makes"


@pytest.mark.parametrize("handle", ["ana", "Ana.Makes_2-go", "a" * 64, "42"])
def test_add_accepts_handles_within_the_rules(roi, sessions, handle):
    answered(roi.command(f"/influencer add {handle}"))

    assert person(sessions, handle).handle == handle


@pytest.mark.parametrize("handle", ["ana!", "ana/makes", '"ana makes"', "a" * 65, "@", "anä", "<@U0ANA0001>", "<!here>"])
def test_add_refuses_handles_outside_the_rules(roi, sessions, handle):
    before = stored(sessions)

    refused(roi.command(f"/influencer add {handle}"), "handle")

    assert stored(sessions) == before


def test_add_refuses_a_missing_handle(roi, sessions):
    refused(roi.command("/influencer add platform=tiktok"), "HANDLE")

    assert count(sessions, Influencer) == 0


def test_add_refuses_a_handle_taken_case_insensitively(roi, sessions):
    answered(roi.command("/influencer add ana.makes followers=100"))
    before = stored(sessions)

    text = answered(roi.command("/influencer add @ANA.MAKES followers=200"))

    assert "already" in text
    assert stored(sessions) == before


@pytest.mark.parametrize(("typed", "followers"), [
    ("25k", 25_000), ("25K", 25_000), ("1.2m", 1_200_000), ("12,000", 12_000), ("980", 980), ("0", 0),
])
def test_add_reads_followers_in_every_form(roi, sessions, typed, followers):
    answered(roi.command(f"/influencer add ana followers={typed}"))

    assert person(sessions, "ana").followers == followers


@pytest.mark.parametrize("platform", ["instagram", "tiktok", "youtube", "x", "twitch", "blog", "other"])
def test_add_accepts_every_platform(roi, sessions, platform):
    answered(roi.command(f"/influencer add ana platform={platform.upper()}"))

    assert person(sessions, "ana").platform == platform


@pytest.mark.parametrize(("options", "field"), [
    ("followers=-5", "followers"),
    ("followers=lots", "followers"),
    ("followers=1.5", "followers"),
    ("platform=myspace", "platform"),
    ("manager=<!channel>", "manager"),
    ("manager=<!here>", "manager"),
    ("manager=<!subteam^S0001|@team>", "manager"),
    ("manager=@nobody", "manager"),
    ("folowers=5", "folowers"),
    ("fee=100", "campaign"),
    ("commission=10 start=2026-03-01", "campaign"),
])
def test_add_refuses_bad_values_naming_the_field_and_writes_nothing(roi, sessions, options, field):
    before = stored(sessions)

    refused(roi.command(f"/influencer add ana {options}"), field)

    assert stored(sessions) == before


@pytest.mark.parametrize(("typed", "manager_id"), [
    ("<@U0BEN00001|ben>", "U0BEN00001"),
    ("<@U0BEN00001>", "U0BEN00001"),
    ("@ben", "U0BEN00001"),
    ("@Benji", "U0BEN00001"),
])
def test_add_stores_the_manager_id_whichever_form_slack_sends(roi, sessions, slack, typed, manager_id):
    slack.users.append(dict(BEN))

    answered(roi.command(f"/influencer add ana manager={typed}"))

    assert person(sessions, "ana").manager_id == manager_id


def test_plain_manager_name_is_resolved_through_the_web_api(roi, slack):
    slack.users.append(dict(BEN))

    answer = roi.command("/influencer add ana manager=@ben")

    answered(answer)
    assert "users.list" in [c.method for c in answer.calls]


def test_unknown_plain_manager_is_refused_with_a_hint(roi, sessions, slack):
    slack.users.append(dict(BEN))

    text = refused(roi.command("/influencer add ana manager=@bob"), "manager")

    assert "@bob" in text and "autocomplete" in text
    assert count(sessions, Influencer) == 0


def test_deleted_member_is_not_taken_as_manager(roi, sessions, slack):
    slack.users.append({**BEN, "deleted": True})

    refused(roi.command("/influencer add ana manager=@ben"), "manager")

    assert count(sessions, Influencer) == 0


# -- add with a campaign ---------------------------------------------------------------------------


def test_add_with_campaign_creates_and_enrols_with_the_terms(roi, sessions, spring):
    text = answered(roi.command(
        "/influencer add ana campaign=SPRING fee=1,200 commission=12.5% product_cost=80.50 goal_revenue=5000 "
        "start=2026-03-05"
    ))

    assert "ana" in text and "spring" in text
    row = enrolment(sessions, "ana", "spring")
    assert (row.fee, row.commission_pct, row.product_cost, row.goal_revenue, row.start, row.status, row.cut_on) == (
        Decimal("1200.00"), Decimal("12.50"), Decimal("80.50"), Decimal("5000.00"), date(2026, 3, 5), "active", None)


def test_enrolment_terms_default_to_zero_and_no_goal(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring"))

    row = enrolment(sessions, "ana", "spring")
    assert (row.fee, row.commission_pct, row.product_cost, row.goal_revenue) == (0, 0, 0, None)


def test_enrolment_start_defaults_to_the_campaign_start(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring"))

    with sessions() as session:
        campaign_start = session.scalar(select(Campaign.start).where(Campaign.name == "spring"))
    assert enrolment(sessions, "ana", "spring").start == campaign_start


def test_enrolment_start_defaults_to_today_when_the_campaign_has_none(roi, sessions, clock, autumn):
    clock.now += timedelta(days=2)

    answered(roi.command("/influencer add ana campaign=autumn"))

    assert enrolment(sessions, "ana", "autumn").start == clock.now.date()


def test_add_enrols_an_existing_influencer_in_a_second_campaign(roi, sessions, spring, autumn):
    answered(roi.command("/influencer add ana followers=10k campaign=spring fee=100"))
    influencer_id = person(sessions, "ana").id

    text = answered(roi.command("/influencer add @Ana campaign=autumn fee=250"))

    assert "autumn" in text
    assert count(sessions, Influencer) == 1
    assert enrolment(sessions, "ana", "spring").fee == Decimal("100.00")
    second = enrolment(sessions, "ana", "autumn")
    assert (second.influencer_id, second.fee) == (influencer_id, Decimal("250.00"))
    assert person(sessions, "ana").followers == 10_000


def test_enrolling_an_existing_influencer_also_updates_the_keys_given(roi, sessions, spring):
    answered(roi.command("/influencer add ana followers=10k"))

    answered(roi.command("/influencer add ana followers=12k platform=youtube campaign=spring"))

    row = person(sessions, "ana")
    assert (row.followers, row.platform) == (12_000, "youtube")


def test_add_refuses_enrolling_someone_already_in_the_campaign(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring fee=100"))
    before = stored(sessions)

    text = answered(roi.command("/influencer add ana campaign=spring fee=999 followers=5k"))

    assert "already" in text and "spring" in text
    assert stored(sessions) == before


@pytest.mark.parametrize(("options", "field"), [
    ("campaign=spring fee=abc", "fee"),
    ("campaign=spring commission=101", "commission"),
    ("campaign=spring product_cost=-1", "product_cost"),
    ("campaign=spring goal_revenue=1,0", "goal_revenue"),
    ("campaign=spring start=2026-04-01", "start"),
    ("campaign=spring start=2026-02-29", "start"),
    ("campaign=spr!ng", "campaign"),
])
def test_add_with_campaign_refuses_bad_terms_and_writes_nothing(roi, sessions, spring, options, field):
    before = stored(sessions)

    refused(roi.command(f"/influencer add ana {options}"), field)

    assert stored(sessions) == before


def test_add_with_an_unknown_campaign_writes_nothing(roi, sessions, spring):
    before = stored(sessions)

    text = answered(roi.command("/influencer add ana campaign=sprin fee=100"))

    assert "`spring`" in text  # the did-you-mean
    assert stored(sessions) == before


# -- list and show -------------------------------------------------------------------------------


def test_list_shows_everyone_with_their_campaigns(roi, spring, autumn):
    answered(roi.command("/influencer add ana platform=tiktok followers=25k campaign=spring"))
    answered(roi.command("/influencer add ana campaign=autumn"))
    answered(roi.command("/influencer add ben platform=youtube"))

    answer = roi.command("/influencer list")

    answered(answer)
    head, *body = table_rows(answer.reply)
    rows = {row[0]: dict(zip(head, row)) for row in body}
    assert set(rows) == {"ana", "ben"}
    assert rows["ana"]["Platform"] == "tiktok"
    assert set(rows["ana"]["Campaigns"].split(", ")) == {"spring", "autumn"}
    assert rows["ben"]["Platform"] == "youtube"


def test_list_with_campaign_shows_only_its_line_up_with_terms(roi, spring, autumn):
    answered(roi.command("/influencer add ana campaign=spring fee=300"))
    answered(roi.command("/influencer add ben campaign=autumn fee=999"))

    answer = roi.command("/influencer list campaign=spring")

    text = answered(answer)
    assert [row[0] for row in table_rows(answer.reply)[1:]] == ["ana"]
    assert "300.00" in text and "999" not in text


def test_list_with_no_influencers_says_how_to_add_one(roi):
    text = answered(roi.command("/influencer list"))

    assert "/influencer add" in text


def test_list_of_an_unknown_campaign_says_so(roi, spring):
    text = answered(roi.command("/influencer list campaign=winter"))

    assert "`winter`" in text


def test_show_gives_profile_terms_and_codes_in_each_campaign(roi, spring, autumn):
    answered(roi.command("/influencer add ana platform=instagram followers=25k manager=<@U0ANA0001> campaign=spring fee=300"))
    answered(roi.command("/influencer add ana campaign=autumn commission=15"))
    answered(roi.command("/code add ANA10 ana campaign=spring"))

    text = answered(roi.command("/influencer show @ANA"))

    for expected in ("ana", "instagram", "25,000", "<@U0ANA0001>", "spring", "300.00", "ANA10", "autumn", "15.0%"):
        assert expected in text


def test_show_of_an_unknown_handle_suggests_the_closest(roi):
    answered(roi.command("/influencer add ana.makes"))

    text = answered(roi.command("/influencer show ana.make"))

    assert "`ana.makes`" in text


# -- remove --------------------------------------------------------------------------------------


def add_order(sessions, *, codes: str) -> None:
    """Store one imported order that used `codes`."""
    with sessions.begin() as session:
        ws = session.scalar(select(Workspace))
        session.add(Order(workspace_id=ws.id, source="shopify", order_id="#1001", order_date=date(2026, 3, 5),
                          subtotal=Decimal("120.00"), codes=codes))


def test_remove_deletes_enrolments_codes_and_stats_but_keeps_orders(roi, sessions, spring, autumn):
    answered(roi.command("/influencer add ana campaign=spring"))
    answered(roi.command("/influencer add ana campaign=autumn"))
    answered(roi.command("/influencer add ben campaign=spring"))
    answered(roi.command("/code add ANA10 ana campaign=spring"))
    answered(roi.command("/code add BEN10 ben campaign=spring"))
    answered(roi.command("/influencer stats ana campaign=spring likes=5"))
    answered(roi.command("/influencer stats ben campaign=spring likes=7"))
    add_order(sessions, codes="ANA10")
    orders_before = stored(sessions)["orders"]

    text = answered(roi.command("/influencer remove ANA"))

    assert "ana" in text
    assert person(sessions, "ana") is None
    with sessions() as session:
        assert session.scalars(select(Code.code)).all() == ["BEN10"]
        assert session.scalar(select(func.count()).select_from(Enrolment)) == 1
        assert [s.likes for s in session.scalars(select(EngagementStat))] == [7]
    assert stored(sessions)["orders"] == orders_before
    assert count(sessions, Campaign) == 2


def test_removed_handle_can_be_added_again(roi, sessions):
    answered(roi.command("/influencer add ana followers=5k"))
    answered(roi.command("/influencer remove ana"))

    answered(roi.command("/influencer add ana"))

    assert person(sessions, "ana").followers is None


def test_remove_of_an_unknown_handle_writes_nothing(roi, sessions):
    answered(roi.command("/influencer add ana"))
    before = stored(sessions)

    text = answered(roi.command("/influencer remove bob"))

    assert "`bob`" in text
    assert stored(sessions) == before


# -- set -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("option", "attr", "value"), [
    ("platform=youtube", "platform", "youtube"),
    ("followers=1.2m", "followers", 1_200_000),
    ("manager=<@U0BEN00001>", "manager_id", "U0BEN00001"),
    ("manager=@ben", "manager_id", "U0BEN00001"),
])
def test_set_changes_an_influencer_key(roi, sessions, slack, option, attr, value):
    slack.users.append(dict(BEN))
    answered(roi.command("/influencer add ana platform=tiktok followers=25k"))

    text = answered(roi.command(f"/influencer set ana {option}"))

    assert option.split("=")[0] in text
    assert getattr(person(sessions, "ana"), attr) == value


def test_set_handle_renames_and_keeps_the_enrolments(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring fee=100"))

    answered(roi.command("/influencer set ana handle=@Ana.Makes"))

    assert person(sessions, "ana") is None
    assert person(sessions, "ana.makes").handle == "Ana.Makes"
    assert enrolment(sessions, "ana.makes", "spring").fee == Decimal("100.00")


def test_set_refuses_a_handle_another_influencer_has(roi, sessions):
    answered(roi.command("/influencer add ana"))
    answered(roi.command("/influencer add ben"))
    before = stored(sessions)

    text = answered(roi.command("/influencer set ana handle=BEN"))

    assert "BEN" in text
    assert stored(sessions) == before


@pytest.mark.parametrize(("option", "attr", "value"), [
    ("fee=450", "fee", Decimal("450.00")),
    ("commission=7.5%", "commission_pct", Decimal("7.50")),
    ("product_cost=1,000", "product_cost", Decimal("1000.00")),
    ("goal_revenue=9000", "goal_revenue", Decimal("9000.00")),
    ("start=2026-03-10", "start", date(2026, 3, 10)),
])
def test_set_with_campaign_changes_the_enrolment(roi, sessions, spring, autumn, option, attr, value):
    answered(roi.command("/influencer add ana campaign=spring fee=100"))
    answered(roi.command("/influencer add ana campaign=autumn fee=100"))
    other_before = enrolment(sessions, "ana", "autumn")

    answered(roi.command(f"/influencer set ana campaign=spring {option}"))

    assert getattr(enrolment(sessions, "ana", "spring"), attr) == value
    other_after = enrolment(sessions, "ana", "autumn")
    assert getattr(other_after, attr) == getattr(other_before, attr)


def test_status_cut_records_the_day_and_active_clears_it(roi, sessions, clock, spring):
    answered(roi.command("/influencer add ana campaign=spring"))
    clock.now += timedelta(days=3)

    answered(roi.command("/influencer set ana campaign=spring status=CUT"))

    row = enrolment(sessions, "ana", "spring")
    assert (row.status, row.cut_on) == ("cut", clock.now.date())

    answered(roi.command("/influencer set ana campaign=spring status=active"))

    row = enrolment(sessions, "ana", "spring")
    assert (row.status, row.cut_on) == ("active", None)


def test_set_with_the_values_already_stored_says_nothing_changed(roi, sessions, spring):
    answered(roi.command("/influencer add ana platform=tiktok campaign=spring fee=100"))
    before = stored(sessions)

    assert "nothing changed" in answered(roi.command("/influencer set ana platform=TikTok")).lower()
    assert "nothing changed" in answered(roi.command("/influencer set ana campaign=spring fee=100.00")).lower()
    assert stored(sessions) == before


@pytest.mark.parametrize(("options", "field"), [
    ("campaign=spring status=paused", "status"),
    ("campaign=spring fee=abc", "fee"),
    ("campaign=spring start=2026-04-01", "start"),
    ("campaign=spring followers=10", "followers"),
    ("campaign=spring", "key=value"),
    ("status=cut", "campaign"),
    ("fee=100", "campaign"),
    ("followers=many", "followers"),
    ("platform=myspace", "platform"),
    ("manager=<!channel>", "manager"),
    ("handle=ana!", "handle"),
    ("", "key=value"),
])
def test_set_refuses_bad_values_naming_the_field_and_writes_nothing(roi, sessions, spring, options, field):
    answered(roi.command("/influencer add ana campaign=spring fee=100"))
    before = stored(sessions)

    refused(roi.command(f"/influencer set ana {options}"), field)

    assert stored(sessions) == before


def test_set_with_a_campaign_they_are_not_in_writes_nothing(roi, sessions, spring, autumn):
    answered(roi.command("/influencer add ana campaign=spring"))
    before = stored(sessions)

    text = answered(roi.command("/influencer set ana campaign=autumn fee=100"))

    assert "autumn" in text and "/influencer add" in text
    assert stored(sessions) == before


# -- stats ---------------------------------------------------------------------------------------


def test_stats_are_recorded_for_today_by_default(roi, sessions, clock, spring):
    answered(roi.command("/influencer add ana campaign=spring"))
    clock.now += timedelta(days=1)

    answered(roi.command("/influencer stats ana campaign=spring impressions=12k reach=9,000 likes=800 comments=40 "
                         "shares=12 saves=30 clicks=210 views=15000"))

    [stat] = stats_of(sessions, "ana")
    assert (stat.stat_date, stat.post) == (clock.now.date(), None)
    assert (stat.impressions, stat.reach, stat.likes, stat.comments, stat.shares, stat.saves, stat.clicks, stat.views) == (
        12_000, 9_000, 800, 40, 12, 30, 210, 15_000)


def test_stats_take_any_subset_of_counters_leaving_the_rest_empty(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring"))

    answered(roi.command("/influencer stats ana campaign=spring LIKES=5 date=2026-03-10"))

    [stat] = stats_of(sessions, "ana")
    assert (stat.stat_date, stat.likes, stat.views, stat.impressions) == (date(2026, 3, 10), 5, None, None)


@pytest.mark.parametrize("typed", ["<https://www.tiktok.com/@ana/video/1|my post>", "<https://www.tiktok.com/@ana/video/1>",
                                   "https://www.tiktok.com/@ana/video/1"])
def test_stats_by_post_store_the_link(roi, sessions, spring, typed):
    answered(roi.command("/influencer add ana campaign=spring"))

    answered(roi.command(f"/influencer stats ana campaign=spring post={typed} views=100 date=2026-03-12"))

    [stat] = stats_of(sessions, "ana")
    assert (stat.post, stat.stat_date, stat.views) == ("https://www.tiktok.com/@ana/video/1", date(2026, 3, 12), 100)


def test_resending_the_same_day_replaces_the_row(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring"))
    answered(roi.command("/influencer stats ana campaign=spring date=2026-03-10 likes=5 views=100"))

    answered(roi.command("/influencer stats ana campaign=spring date=2026-03-10 likes=8"))

    [stat] = stats_of(sessions, "ana")
    assert (stat.likes, stat.views) == (8, None)


def test_resending_the_same_post_replaces_the_row_even_on_another_day(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring"))
    link = "<https://youtu.be/abc>"
    answered(roi.command(f"/influencer stats ana campaign=spring post={link} date=2026-03-10 views=100"))

    answered(roi.command(f"/influencer stats ana campaign=spring post={link} date=2026-03-11 views=250"))

    [stat] = stats_of(sessions, "ana")
    assert (stat.views, stat.stat_date) == (250, date(2026, 3, 11))


def test_different_days_and_posts_are_separate_rows(roi, sessions, spring):
    answered(roi.command("/influencer add ana campaign=spring"))

    for extra in ("date=2026-03-10", "date=2026-03-11", "post=<https://youtu.be/a> date=2026-03-11",
                  "post=<https://youtu.be/b> date=2026-03-11"):
        answered(roi.command(f"/influencer stats ana campaign=spring {extra} views=1"))

    assert len(stats_of(sessions, "ana")) == 4


def test_stats_belong_to_the_enrolment_of_the_campaign_named(roi, sessions, spring, autumn):
    answered(roi.command("/influencer add ana campaign=spring"))
    answered(roi.command("/influencer add ana campaign=autumn"))

    answered(roi.command("/influencer stats ana campaign=autumn likes=3"))

    [stat] = stats_of(sessions, "ana")
    assert stat.enrolment_id == enrolment(sessions, "ana", "autumn").id


@pytest.mark.parametrize(("options", "field"), [
    ("campaign=spring", "counters"),
    ("campaign=spring date=2026-03-10", "counters"),
    ("likes=5", "campaign"),
    ("campaign=spring likes=-1", "likes"),
    ("campaign=spring views=lots", "views"),
    ("campaign=spring likes=5 date=2026-02-30", "date"),
    ("campaign=spring likes=5 post=<#C0001|general>", "post"),
    ("campaign=spring likes=5 post=ftp://x.example/1", "post"),
    ("campaign=spring likes=5 followers=10", "followers"),
])
def test_stats_refuse_bad_input_naming_the_field_and_write_nothing(roi, sessions, spring, options, field):
    answered(roi.command("/influencer add ana campaign=spring"))
    before = stored(sessions)

    refused(roi.command(f"/influencer stats ana {options}"), field)

    assert stored(sessions) == before


def test_stats_for_a_campaign_they_are_not_in_are_refused(roi, sessions, spring, autumn):
    answered(roi.command("/influencer add ana campaign=spring"))
    before = stored(sessions)

    text = answered(roi.command("/influencer stats ana campaign=autumn likes=5"))

    assert "autumn" in text and "/influencer add" in text
    assert stored(sessions) == before


# -- usage -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["/influencer", "/influencer help"])
def test_help_and_no_arguments_show_usage_of_every_sub_command(roi, line):
    text = answered(roi.command(line))

    for form in ("add HANDLE", "list", "show HANDLE", "remove HANDLE", "set HANDLE", "stats HANDLE campaign=NAME"):
        assert f"/influencer {form}" in text


@pytest.mark.parametrize("line", [
    "/influencer add ana makes",
    "/influencer add ana 25k",
    "/influencer set ana followers 25k",
    "/influencer remove ana ben",
])
def test_a_stray_word_is_refused_rather_than_ignored(roi, sessions, line):
    answered(roi.command("/influencer add ben"))
    before = stored(sessions)

    refused(roi.command(line), "arguments")

    assert stored(sessions) == before


def test_unknown_sub_command_is_refused(roi, sessions):
    text = refused(roi.command("/influencer delete ana"), "sub-command")

    assert "`remove`" in text
    assert count(sessions, Workspace) == 0
