"""`/code add … url=`: a tracking link with UTM parameters built from the names as stored, kept with the code
and rebuilt when the campaign or the influencer is renamed.
On SQLite only: what depends on the database is tested on both in tests/bot/registry/test_code_rules.py
(links built from the names as stored, rebuilt after a rename)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from bot.models import Code
from bot.values import esc
from registry_support import answered, season, spring_with_ana_and_ben, stored_url
from slackschema import assert_valid_message
from conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY

spring = pytest.fixture(spring_with_ana_and_ben)


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
    assert esc(link) in text


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
    assert esc(link) in text


def test_tracking_link_uses_the_names_as_stored(roi, sessions):
    season(roi, "Spring_26", "start=2026-03-01")
    answered(roi.command("/influencer set ana platform=youtube handle=Ana.Makes"))

    answered(roi.command("/code add ANA10 ana.makes campaign=spring_26 url=https://shop.example/"))

    params = dict(query(stored_url(sessions, "ANA10")))
    assert (params["utm_source"], params["utm_campaign"], params["utm_content"]) == ("youtube", "Spring_26", "Ana.Makes")


def test_plain_url_is_accepted_too(roi, sessions, spring):
    answered(roi.command("/code add ANA10 ana campaign=spring url=https://shop.example/x?a=1"))

    assert dict(query(stored_url(sessions, "ANA10")))["a"] == "1"


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
