"""Usage of every command: what `help` (or no arguments) shows."""

from __future__ import annotations

from handlers.blocks.kit import Reply, context, header, section

USAGE = {
    "campaign": [
        ("create NAME budget=AMOUNT [currency=USD] [start=DATE] [end=DATE] [channel=#chan] [digest=SCHEDULE] "
         '[min_roi=PCT] [grace_days=N] [window_days=N] [note="text"]', "register a campaign"),
        ("list", "every campaign of this workspace"),
        ("show NAME", "settings, influencers and codes"),
        ("set NAME key=value…", "change any of the keys above, or `name=` to rename"),
        ("end NAME", "end it today: digests and alerts stop, data stays"),
    ],
    "influencer": [
        ("add HANDLE [platform=instagram|tiktok|youtube|x|twitch|blog|other] [followers=N] [manager=@user] "
         "[campaign=NAME fee=AMOUNT commission=PCT product_cost=AMOUNT goal_revenue=AMOUNT start=DATE]",
         "register an influencer, or enrol one in a campaign"),
        ("list [campaign=NAME]", "everyone, or one campaign's line-up"),
        ("show HANDLE", "profile, campaigns and codes"),
        ("remove HANDLE", "delete with their enrolments, codes and stats (orders stay); asks first if they have results"),
        ("set HANDLE [campaign=NAME] key=value…", "influencer keys, or with `campaign` the enrolment's, incl. `status=active|cut`"),
        ("stats HANDLE campaign=NAME [date=DATE] [post=URL] impressions=N reach=N likes=N comments=N shares=N saves=N clicks=N views=N",
         "record one post's or one day's results (any of the counters)"),
    ],
    "code": [
        ("add CODE HANDLE campaign=NAME [url=URL] [discount=PCT|AMOUNT]",
         "a discount code (and tracking link) for an influencer in a campaign; with `discount=` (`15%`, or `10` in "
         "the campaign currency) it is created in your connected Shopify store first"),
        ("list [campaign=NAME]", "every code, or one campaign's"),
        ("remove CODE [campaign=NAME]", "orders counted through it no longer count"),
    ],
    "roi": [
        ("campaign NAME [from=DATE] [to=DATE]", "totals, ranked influencers, who is flagged, two charts — in the channel"),
        ("influencer HANDLE [campaign=NAME]", "one influencer in each campaign, with a chart — in the channel"),
        ("compare NAME NAME", "two campaigns side by side, with a chart — in the channel"),
        ("tiers [campaign=NAME]", "results by follower tier, with a chart — in the channel"),
        ("top [campaign=NAME] [by=roi|roas|revenue|orders|engagement_rate] [n=5]", "a ranking — in the channel"),
        ("underperformers [campaign=NAME]", "who would be flagged today, and why — only you see it"),
        ("sale CODE amount=AMOUNT [date=DATE] [id=ORDER_ID] [refunded=AMOUNT]",
         "record one order by hand, or correct it with its `id` — only you see it"),
        ("import", "how to send me an order, roster or stats export — only you see it"),
    ],
}
FORMS = (
    "Values with spaces go in quotes: `note=\"launch week\"`. Money: `1200`, `1,200.50`. "
    "Percentages: `15` or `15%`. Dates: `YYYY-MM-DD`. Keys are case-insensitive."
)


def usage_text(command: str) -> str:
    """The usage of one command as mrkdwn lines."""
    return "\n".join(f"• `/{command} {form}`\n      {what}" for form, what in USAGE[command])


def usage_reply(command: str, *, intro: str | None = None) -> Reply:
    """The help message of one command."""
    blocks = [header(f"/{command}")]
    if intro:
        blocks.append(section(intro))
    blocks += [section(usage_text(command)), context(FORMS)]
    return Reply(text=f"How to use /{command}", blocks=blocks)
