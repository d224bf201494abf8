"""Attribution rules of SPEC §3, as a pure function: codes first, then UTM, windows, cuts, case."""

from datetime import date

import pytest

from metrics.attribution import NOBODY, Attribution, Registry, Target, attribute

SPRING = Target("spring", "ana@spring", (date(2026, 3, 1), date(2026, 4, 7)))
FALL = Target("fall", "ana@fall", (date(2026, 9, 1), date(2026, 10, 7)))
BEN = Target("spring", "ben@spring", (date(2026, 3, 1), date(2026, 4, 7)))
OPEN = Target("always", "cy@always", (None, None))


def registry(**extra) -> Registry:
    codes = {"ana10": [SPRING, FALL], "ben15": [BEN]}
    links = {("spring", "ana"): SPRING, ("fall", "ana"): FALL, ("spring", "ben"): BEN}
    handles = {"ana": [SPRING, FALL], "ben": [BEN]}
    return Registry(codes=extra.get("codes", codes), links=extra.get("links", links), handles=extra.get("handles", handles))


def test_a_registered_code_inside_the_window_credits_its_influencer():
    assert attribute(date(2026, 3, 10), ["ANA10"], None, None, registry()) == Attribution("code", "spring", "ana@spring")


def test_the_same_code_in_another_season_credits_that_season():
    assert attribute(date(2026, 9, 15), ["ana10"], None, None, registry()).campaign_id == "fall"


@pytest.mark.parametrize("day, credited", [
    (date(2026, 2, 28), False), (date(2026, 3, 1), True), (date(2026, 4, 7), True), (date(2026, 4, 8), False),
])
def test_window_edges_are_inclusive(day, credited):
    outcome = attribute(day, ["ben15"], None, None, registry())
    assert outcome.credited is credited
    assert outcome.campaign_id == "spring"  # outside the window it is still reported against spring
    assert outcome.kind == ("code" if credited else "outside")


def test_the_first_registered_code_on_the_order_wins():
    assert attribute(date(2026, 3, 10), ["nobody", "ben15", "ana10"], None, None, registry()).enrolment_id == "ben@spring"


def test_a_code_outside_its_window_gives_way_to_a_later_code_inside_one():
    reg = registry()
    assert attribute(date(2026, 3, 10), ["ana10", "ben15"], None, None, reg).enrolment_id == "ana@spring"
    late = Target("summer", "cy@summer", (date(2026, 6, 1), date(2026, 6, 30)))
    reg = registry(codes={"cy": [late], "ben15": [BEN]})
    assert attribute(date(2026, 3, 10), ["cy", "ben15"], None, None, reg) == Attribution("code", "spring", "ben@spring")


def test_outside_the_window_reports_the_nearest_season():
    assert attribute(date(2026, 8, 20), ["ana10"], None, None, registry()) == Attribution("outside", "fall", "ana@fall")
    assert attribute(date(2026, 5, 1), ["ana10"], None, None, registry()) == Attribution("outside", "spring", "ana@spring")


def test_utm_campaign_and_content_credit_the_enrolled_influencer():
    assert attribute(date(2026, 3, 10), [], "Spring", "@Ana", registry()) == Attribution("utm", "spring", "ana@spring")


def test_utm_naming_someone_not_enrolled_credits_nobody():
    assert attribute(date(2026, 3, 10), [], "spring", "zoe", registry()) is NOBODY
    assert attribute(date(2026, 3, 10), [], "winter", "ana", registry()) is NOBODY


def test_utm_outside_the_window_is_reported_outside():
    assert attribute(date(2026, 5, 1), [], "spring", "ana", registry()).kind == "outside"


def test_utm_content_alone_needs_exactly_one_campaign_containing_the_date():
    assert attribute(date(2026, 3, 10), [], None, "ana", registry()) == Attribution("utm", "spring", "ana@spring")
    both = Target("spring2", "ana@spring2", (date(2026, 3, 5), date(2026, 3, 20)))
    reg = registry(handles={"ana": [SPRING, both]})
    assert attribute(date(2026, 3, 10), [], None, "ana", reg) is NOBODY  # two campaigns: ambiguous
    assert attribute(date(2026, 3, 25), [], None, "ana", reg).enrolment_id == "ana@spring"


def test_a_code_beats_utm():
    assert attribute(date(2026, 3, 10), ["ben15"], "spring", "ana", registry()).enrolment_id == "ben@spring"


def test_a_cut_enrolment_takes_no_order_after_the_cut_and_the_next_rule_applies():
    cut = Target("spring", "ben@spring", BEN.window, cut_on=date(2026, 3, 15))
    reg = registry(codes={"ben15": [cut]}, links={("spring", "ben"): cut, ("spring", "ana"): SPRING})
    assert attribute(date(2026, 3, 15), ["ben15"], None, None, reg).enrolment_id == "ben@spring"  # the cut day itself
    assert attribute(date(2026, 3, 16), ["ben15"], None, None, reg) is NOBODY
    assert attribute(date(2026, 3, 16), ["ben15"], "spring", "ana", reg).enrolment_id == "ana@spring"


def test_open_windows_take_any_date():
    reg = Registry(codes={"cy": [OPEN]})
    assert attribute(date(1999, 1, 1), ["cy"], None, None, reg).credited


def test_no_codes_and_no_utm_is_nobody():
    assert attribute(date(2026, 3, 10), [], None, None, registry()) is NOBODY
    assert attribute(date(2026, 3, 10), ["", "  "], "", " ", registry()) is NOBODY
