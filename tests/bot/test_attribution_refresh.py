"""Attribution follows the current registrations: codes added or removed later, cuts, date and name changes —
re-attributed by the change itself, inside its transaction, never by a hook on commit."""

import inspect
from decimal import Decimal as D

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot import attribution
from bot.models import Code, Order, Workspace
from bot.registry import codes, influencers, lookup
from handlers.blocks.influencers import REMOVE
from import_support import register, run

HEADER = "order_id,date,amount,code,currency,refunded,utm_campaign,utm_content\n"
ORDERS = HEADER + (
    "1,2026-03-05,200.00,CY20,USD,,,\n"
    "2,2026-03-20,100.00,CY20,USD,,,\n"
    "3,2026-04-09,50.00,BEN5,USD,,,\n"
    "4,2026-03-10,40.00,,USD,,spring,ana\n"
)


@pytest.fixture
def spring(roi, sessions):
    register(roi)
    run(sessions, ORDERS)


def outcome(sessions) -> dict[str, tuple]:
    with sessions() as session:
        return {o.order_id: (o.attribution, o.enrolment_id is not None) for o in session.scalars(select(Order))}


def test_a_code_registered_later_credits_orders_already_imported(spring, roi, sessions):
    assert outcome(sessions)["1"] == (None, False)
    register(roi, ["/influencer add cy campaign=spring fee=10", "/code add CY20 cy campaign=spring"])
    assert outcome(sessions)["1"] == ("code", True) and outcome(sessions)["2"] == ("code", True)


def test_removing_a_code_takes_its_orders_out(spring, roi, sessions):
    register(roi, ["/influencer add cy campaign=spring fee=10", "/code add CY20 cy campaign=spring", "/code remove CY20"])
    assert outcome(sessions)["1"] == (None, False)


def test_cutting_an_enrolment_stops_crediting_orders_dated_after_the_cut(spring, roi, sessions):
    register(roi, ["/influencer add cy campaign=spring fee=10", "/code add CY20 cy campaign=spring",
                   "/influencer set cy campaign=spring status=cut"])  # cut today, 2026-03-16
    assert outcome(sessions)["1"] == ("code", True)
    assert outcome(sessions)["2"] == (None, False)
    register(roi, ["/influencer set cy campaign=spring status=active"])
    assert outcome(sessions)["2"] == ("code", True)


def test_moving_a_campaigns_end_moves_its_window(spring, roi, sessions):
    assert outcome(sessions)["3"][0] == "outside"
    register(roi, ["/campaign set spring end=2026-04-05"])
    assert outcome(sessions)["3"] == ("code", True)
    register(roi, ["/campaign set spring window_days=0"])
    assert outcome(sessions)["3"][0] == "outside"


def test_renaming_a_campaign_or_a_handle_follows_the_tracking_links(spring, roi, sessions):
    assert outcome(sessions)["4"] == ("utm", True)
    register(roi, ["/campaign set spring name=spring26"])
    assert outcome(sessions)["4"] == (None, False)  # the link says utm_campaign=spring
    register(roi, ["/campaign set spring26 name=spring"])
    assert outcome(sessions)["4"] == ("utm", True)
    register(roi, ["/influencer set ana handle=ana.b"])
    assert outcome(sessions)["4"] == (None, False)


def test_removing_an_influencer_uncredits_their_orders(spring, roi, sessions):
    # ana has a credited order, so the command asks first; Remove removes (tests/handlers/test_influencer_remove.py).
    question = roi.command("/influencer remove ana").reply
    [value] = [e["value"] for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == REMOVE]
    roi.click(REMOVE, value)
    assert outcome(sessions)["4"] == (None, False)


def test_a_refused_change_leaves_attribution_as_it_was(spring, roi, sessions):
    before = outcome(sessions)
    answer = roi.command("/campaign set spring end=2026-02-01")  # before the start: refused
    assert ":warning:" in answer.text
    assert outcome(sessions) == before


# Every session event a hook could use to re-attribute behind a transaction's back.
SESSION_EVENTS = ("before_commit", "after_commit", "before_flush", "after_flush", "after_flush_postexec",
                  "after_transaction_end", "after_rollback", "after_soft_rollback")


@pytest.mark.parametrize("name", SESSION_EVENTS)
def test_no_function_of_the_attribution_module_listens_to_sessions(name):
    """No hook: a session opened anywhere in the process commits without re-attributing."""
    functions = [f for f in vars(attribution).values() if inspect.isfunction(f)]
    assert functions  # the module's own functions are what is checked
    assert [f.__name__ for f in functions if event.contains(Session, name, f)] == []


@pytest.fixture
def refreshes(monkeypatch):
    """The scopes `attribution.refresh` is called with, as it runs."""
    calls = []
    real = attribution.refresh

    def counted(session, workspace_id, scope):
        calls.append(scope)
        return real(session, workspace_id, scope)

    monkeypatch.setattr(attribution, "refresh", counted)
    return calls


def in_session(session) -> dict[str, tuple]:
    """`outcome`, read inside an open transaction (so what it has not committed yet shows)."""
    return {o.order_id: (o.attribution, o.enrolment_id) for o in session.scalars(select(Order))}


def ana_enrolment(session):
    """The workspace of the tests and ana's enrolment in spring."""
    ws = session.scalar(select(Workspace))
    camp = lookup.campaign(session, ws, "spring")
    return ws, lookup.enrolment(session, lookup.influencer(session, ws, "ana"), camp)


def test_committing_a_registration_written_behind_the_registry_re_attributes_nothing(spring, sessions, refreshes):
    with sessions.begin() as session:
        ws, enrolment = ana_enrolment(session)
        session.add(Code(workspace_id=ws.id, campaign_id=enrolment.campaign_id, enrolment_id=enrolment.id,
                         code="CY20", code_key="cy20"))
    assert refreshes == []
    assert outcome(sessions)["1"] == (None, False)  # stale: only the registry's functions re-attribute


def test_a_registry_change_is_re_attributed_before_it_returns_in_its_own_transaction(spring, sessions, refreshes):
    with sessions() as session:
        session.begin()
        _, enrolment = ana_enrolment(session)
        codes.add(session, enrolment, "CY20", url=None, user_id=None)
        assert len(refreshes) == 1
        seen = in_session(session)
        assert seen["1"] == seen["2"] == ("code", enrolment.id)
        session.rollback()
    assert outcome(sessions)["1"] == (None, False)  # it was part of the transaction, and went with it


def test_changes_collected_by_a_caller_wait_for_it_and_are_applied_in_one_pass(spring, sessions, refreshes):
    with sessions.begin() as session:
        ws, enrolment = ana_enrolment(session)
        camp = enrolment.campaign
        changes = attribution.Changes()
        cy = influencers.create(session, ws, "cy", {})
        cy_spring = influencers.enrol(session, cy, camp, {"fee": D(10)}, today=camp.start, changes=changes)
        codes.add(session, cy_spring, "CY20", url=None, user_id=None, changes=changes)
        influencers.update(session, lookup.influencer(session, ws, "ana"), {"handle": "ana.b"}, changes=changes)
        assert refreshes == [] and in_session(session)["1"] == (None, None)
        assert changes.apply(session) == 3  # orders 1 and 2 take CY20; order 4's link names a handle no longer there
        assert len(refreshes) == 1
        assert changes.apply(session) == 0 and len(refreshes) == 1  # applied changes are forgotten
    assert outcome(sessions) == {"1": ("code", True), "2": ("code", True), "3": ("outside", True), "4": (None, False)}


ROSTER = (
    "handle,campaign,fee,code\n"
    "cy,spring,10,CY20\n"
    "dee,spring,5,DEE1\n"
    "kim,spring,,BEN5\n"  # ben's code: rejected, and kim with it
    "ana,spring,1200,ANA10\n"
)


def test_a_roster_import_re_attributes_once_for_all_its_rows(spring, sessions, refreshes):
    summary = run(sessions, ROSTER, kind="roster", name="roster.csv")
    assert sorted(dict(summary.rejected)) == [4]
    assert len(refreshes) == 1
    assert outcome(sessions)["1"] == ("code", True) and outcome(sessions)["2"] == ("code", True)
