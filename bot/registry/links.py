"""Tracking links: a landing URL with the influencer's UTM parameters set (SPEC §2 `/code add url=`)."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Code, Enrolment


def tracking_url(url: str, *, platform: str, campaign: str, handle: str) -> str:
    """`url` with utm_source/medium/campaign/content set; other query parameters and fragment kept."""
    parts = urlsplit(url)
    # Keep the other parameters byte for byte rather than re-encoding them through parse_qsl.
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and not unquote(pair.split("=", 1)[0]).lower().startswith("utm_")
    ]
    utm = {"utm_source": platform, "utm_medium": "influencer", "utm_campaign": campaign, "utm_content": handle}
    kept += [f"{key}={quote(str(val), safe='')}" for key, val in utm.items()]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), parts.fragment))


def refresh(session: Session, *, campaign_id: int | None = None, influencer_id: int | None = None) -> int:
    """Rebuild stored tracking links after a rename or platform change; returns how many changed."""
    query = select(Code).join(Enrolment, Code.enrolment_id == Enrolment.id).where(Code.url.is_not(None))
    if campaign_id is not None:
        query = query.where(Code.campaign_id == campaign_id)
    if influencer_id is not None:
        query = query.where(Enrolment.influencer_id == influencer_id)
    changed = 0
    for code in session.scalars(query):
        person, camp = code.enrolment.influencer, code.enrolment.campaign
        url = tracking_url(code.url, platform=person.platform, campaign=camp.name, handle=person.handle)
        if url != code.url:
            code.url = url
            changed += 1
    session.flush()
    return changed
