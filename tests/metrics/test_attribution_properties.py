"""Properties of attribution over random registrations and orders: whatever the mix, an order is credited to
at most one enrolment, only inside that campaign's window, never after a cut, and a code beats a link."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.attribution import Registry, Target, attribute
from metrics.windows import contains

BASE = date(2026, 1, 1)
days = st.integers(min_value=0, max_value=200).map(lambda n: BASE + timedelta(days=n))
codes = st.sampled_from(["ana10", "ben5", "cy", "zz"])
handles = st.sampled_from(["ana", "ben", "cy"])
campaigns = st.sampled_from(["spring", "summer", "fall"])


@st.composite
def targets(draw):
    first = draw(st.one_of(st.none(), days))
    length = draw(st.integers(min_value=0, max_value=90))
    last = draw(st.one_of(st.none(), st.just(first + timedelta(days=length) if first else BASE + timedelta(days=length))))
    cut = draw(st.one_of(st.none(), days))
    return draw(campaigns), draw(handles), (first, last), cut


@st.composite
def registries(draw):
    entries = draw(st.lists(targets(), max_size=6, unique_by=lambda t: (t[0], t[1])))
    made = {(c, h): Target(c, f"{h}@{c}", win, cut) for c, h, win, cut in entries}
    code_map: dict[str, list[Target]] = {}
    for target in made.values():
        for code in draw(st.lists(codes, max_size=2, unique=True)):
            code_map.setdefault(code, []).append(target)
    handle_map: dict[str, list[Target]] = {}
    for (_, h), target in made.items():
        handle_map.setdefault(h, []).append(target)
    return Registry(codes=code_map, links=made, handles=handle_map), made


@settings(max_examples=300, deadline=None)
@given(registries(), days, st.lists(codes, max_size=3), st.one_of(st.none(), campaigns), st.one_of(st.none(), handles))
def test_credit_goes_to_one_enrolment_inside_its_window_and_before_any_cut(reg, day, order_codes, utm_campaign, utm_content):
    registry, made = reg
    outcome = attribute(day, order_codes, utm_campaign, utm_content, registry)
    if outcome.credited:
        target = next(t for t in made.values() if t.enrolment_id == outcome.enrolment_id)
        assert target.campaign_id == outcome.campaign_id
        assert contains(target.window, day)
        assert target.cut_on is None or day <= target.cut_on
        if outcome.kind == "utm":  # a link only wins when no code on the order could take it
            assert not any(contains(t.window, day) and t.takes(day)
                           for code in order_codes for t in registry.codes.get(code, ()))
    elif outcome.kind == "outside":
        target = next(t for t in made.values() if t.enrolment_id == outcome.enrolment_id)
        assert not contains(target.window, day)
    else:
        assert outcome.campaign_id is None and outcome.enrolment_id is None


@settings(max_examples=200, deadline=None)
@given(registries(), days, st.lists(codes, max_size=3))
def test_codes_match_whatever_their_case(reg, day, order_codes):
    registry, _ = reg
    assert attribute(day, [c.upper() for c in order_codes], None, None, registry) == \
        attribute(day, order_codes, None, None, registry)
