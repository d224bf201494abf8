"""Campaign replies say when the next scheduled digest comes (the clock reads Monday 2026-03-16 12:00 UTC).
On SQLite only: what depends on the database is tested on both in tests/bot/registry/test_campaign_rules.py
(the next digest of a stored and of a re-scheduled campaign)."""

from __future__ import annotations

from conftest import SQLITE_ONLY
from registry_support import answered

pytestmark = SQLITE_ONLY


def test_create_says_when_the_first_digest_comes(roi):
    text = answered(roi.command('/campaign create spring budget=100 channel=<#C0GROWTH|growth> digest="daily 18:00"'))

    assert "every day at 18:00 in <#C0GROWTH> (next: Mon 16 Mar 2026 18:00 UTC)" in text


def test_a_campaign_starting_later_gets_its_first_digest_after_its_start(roi):
    text = answered(roi.command("/campaign create summer budget=100 start=2026-06-01 channel=<#C0GROWTH|growth>"))

    assert "(next: Mon 1 Jun 2026 09:00 UTC)" in text


def test_changing_the_schedule_says_when_the_next_digest_comes_now(roi):
    answered(roi.command("/campaign create spring budget=100 channel=<#C0GROWTH|growth>"))

    text = answered(roi.command('/campaign set spring digest="cron:30 7 * * 0"'))

    assert "cron `30 7 * * 0` in <#C0GROWTH> (next: Sun 22 Mar 2026 07:30 UTC)" in text
    assert "Digest:" not in answered(roi.command("/campaign set spring budget=200"))


def test_show_says_when_no_digest_is_left(roi):
    answered(roi.command("/campaign create old budget=100 start=2026-01-01 end=2026-01-31 channel=<#C0GROWTH|growth>"))

    assert "(no more scheduled digests)" in answered(roi.command("/campaign show old"))
