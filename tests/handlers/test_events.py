"""Events: the Home tab shows the workspace's own campaigns; uninstall keeps data; unknown events are fine."""

from __future__ import annotations

from sqlalchemy import select

from bot.fakeslack.requests import dispatch, event
from bot.models import Campaign, Workspace
from conftest import SECRET
from slackschema import assert_valid_view


def test_home_tab_lists_this_workspaces_campaigns_only(roi, app, slack):
    roi.command("/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31")
    roi.command("/campaign create autumn budget=900", team="T0002")
    response = dispatch(app, event({"type": "app_home_opened", "user": "U0001", "tab": "home"}, team_id="T0001"), secret=SECRET)
    assert response.status == 200
    [call] = slack.calls_to("views.publish")
    view = call.json("view")
    assert_valid_view(view)
    text = str(view)
    assert "spring" in text and "USD 5,000.00" in text
    assert "autumn" not in text
    assert call.params["user_id"] == "U0001"


def test_home_tab_for_a_new_workspace_explains_how_to_start(app, slack):
    dispatch(app, event({"type": "app_home_opened", "user": "U0009", "tab": "home"}, team_id="T0NEW"), secret=SECRET)
    view = slack.calls_to("views.publish")[0].json("view")
    assert_valid_view(view)
    assert "/campaign create" in str(view)


def test_uninstall_marks_the_workspace_and_keeps_its_data(roi, app, sessions):
    roi.command("/campaign create spring budget=5000")
    response = dispatch(app, event({"type": "app_uninstalled"}, team_id="T0001"), secret=SECRET)
    assert response.status == 200
    with sessions() as session:
        ws = session.scalar(select(Workspace).where(Workspace.team_id == "T0001"))
        assert ws.uninstalled_at is not None
        assert session.scalar(select(Campaign.name)) == "spring"


def test_direct_message_text_is_acknowledged_without_a_reply(app, slack):
    response = dispatch(app, event({"type": "message", "channel_type": "im", "channel": "D1", "user": "U0001", "text": "hi"}), secret=SECRET)
    assert response.status == 200
    assert slack.calls_to("chat.postMessage") == []
