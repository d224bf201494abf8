"""How the other `/roi` answers look: one influencer, two campaigns compared, follower tiers, a ranking, and
the asker-only answers (underperformers, a recorded sale, how to import, "sent to your DM instead").

Figures come from the reports (`bot.reports`) and `metrics.roi.Metrics` they are given; nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import Campaign
from bot.reports import CampaignReport, InfluencerReport, Row
from handlers.blocks import fmt
from handlers.blocks.kit import Block, Reply, context, header, section, table
from handlers.blocks.report_campaign import (
    MAX_FLAGGED,
    MAX_ROWS,
    NOT_STARTED,
    bullet_sections,
    profit_text,
    reasons_text,
    roas_text,
    roi_text,
    who,
)
from metrics.roi import Metrics

TIER_NAMES = {"nano": "nano (<10k)", "micro": "micro (10k–100k)", "macro": "macro (100k–1M)", "mega": "mega (1M+)",
              "unknown": "unknown"}
USAGE_INTRO = ("Reports on your campaigns. `/roi` on its own in a campaign's channel shows that campaign. "
               "Channel answers come with charts; if I am not in the channel, I send them to you directly.")
BY_LABEL = {"roi": "ROI", "roas": "ROAS", "revenue": "revenue", "orders": "orders", "engagement_rate": "engagement rate"}


# -- /roi influencer -------------------------------------------------------------------------------


def by_start(rows: Sequence[tuple[Campaign, Row]]) -> list[tuple[Campaign, Row]]:
    """An influencer's campaigns in the order they started in them, oldest first: the order the text and the chart
    both read in."""
    return sorted(rows, key=lambda cr: (cr[1].enrolment.start, cr[0].name_key))


def influencer(report: InfluencerReport) -> Reply:
    """One influencer in each of their campaigns, oldest first (the latest MAX_ROWS), with any §6 reasons."""
    person = report.influencer
    followers = f"{fmt.count(person.followers)} followers" if person.followers is not None else "followers unknown"
    tier = report.rows[0][1].tier if report.rows else None
    blocks: list[Block] = [header(f"{person.handle} · {person.platform}"),
                           context(" · ".join(p for p in (followers, tier and f"{tier} tier") if p))]
    if not report.rows:
        blocks.append(section(f"*{fmt.esc(person.handle)}* is not in any campaign yet. Enrol them with "
                              f"`/influencer add {fmt.esc(person.handle)} campaign=NAME fee=AMOUNT`."))
        return Reply(text=f"{fmt.esc(person.handle)} is not in any campaign yet", blocks=blocks)
    ordered = by_start(report.rows)
    rows = ordered[-MAX_ROWS:]
    body = [[camp.name, row.status, fmt.money(row.metrics.revenue, camp.currency), fmt.money(row.metrics.cost, camp.currency),
             profit_text(row.metrics, camp.currency, row.started), roi_text(row.metrics, row.started),
             roas_text(row.metrics, row.started), fmt.count(row.metrics.orders), fmt.pct(row.metrics.engagement_rate_pct)]
            for camp, row in rows]
    if len(ordered) > len(rows):
        older = len(ordered) - len(rows)
        blocks.append(context(f"Oldest first; {older} older campaign{fmt.s(older)} left out."))
    blocks.append(table(["Campaign", "Status", "Revenue", "Cost", "Profit", "ROI", "ROAS", "Orders", "Eng. rate"], body,
                        align=["left", "left"] + ["right"] * 7))
    flagged = [f"• in *{fmt.esc(camp.name)}*: {reasons_text(row.reasons, camp.currency)}" for camp, row in ordered
               if row.reasons]
    if flagged:
        blocks += bullet_sections(":warning: *Flagged today*", flagged)
    summary = ", ".join(f"{fmt.esc(camp.name)} " + (f"ROI {fmt.pct(row.metrics.roi_pct)}" if row.started else NOT_STARTED)
                        for camp, row in rows[-5:])
    return Reply(text=f"{fmt.esc(person.handle)}: {summary}", blocks=blocks)


# -- /roi compare ----------------------------------------------------------------------------------


def _compare_rows(a: CampaignReport, b: CampaignReport) -> list[list[str]]:
    def both(label: str, show) -> list[str]:
        return [label, show(a), show(b)]

    def money(key: str):
        return lambda r: fmt.money(getattr(r.totals, key), r.campaign.currency)

    return [
        both("Dates", lambda r: fmt.span(r.campaign.start, r.campaign.end)),
        both("Revenue", money("revenue")),
        both("Cost", money("cost")),
        both("Profit", lambda r: profit_text(r.totals, r.campaign.currency, r.started)),
        both("ROI", lambda r: roi_text(r.totals, r.started)),
        both("ROAS", lambda r: roas_text(r.totals, r.started)),
        both("Orders", lambda r: fmt.count(r.totals.orders)),
        both("AOV", money("aov")),
        both("CPA", money("cpa")),
        both("Budget used", lambda r: f"{fmt.pct(r.totals.budget_used_pct)} of {fmt.money(r.totals.budget, r.campaign.currency)}"),
        both("Influencers", lambda r: fmt.count(len(r.rows))),
        both("Flagged today", lambda r: fmt.count(len(r.flagged))),
        both("Engagement rate", lambda r: fmt.pct(r.totals.engagement_rate_pct)),
        both("CPM", money("cpm")),
        both("CTR", lambda r: fmt.pct(r.totals.ctr_pct)),
    ]


def _verdict(a: CampaignReport, b: CampaignReport) -> str:
    # A campaign that has not started has no return yet: crowning the other over it would compare a result with a fee.
    waiting = [r for r in (a, b) if not r.started]
    if len(waiting) == 2:
        return "Neither campaign has started yet, so there is no return to compare."
    if waiting:
        (later,), other = waiting, (b if waiting[0] is a else a)
        return (f"*{fmt.esc(later.campaign.name)}* has not started yet (it starts {fmt.day(later.campaign.start)}), so "
                f"there is no return to compare with *{fmt.esc(other.campaign.name)}*'s ROI of "
                f"{fmt.pct(other.totals.roi_pct)}.")
    ra, rb = a.totals.roi_pct, b.totals.roi_pct
    if ra is None or rb is None:
        return "ROI can't be compared yet: a campaign without costs has no ROI."
    if ra == rb:
        return f"Both return the same ROI ({fmt.pct(ra)})."
    best, other = (a, b) if ra > rb else (b, a)
    return (f"*{fmt.esc(best.campaign.name)}* has the better return: ROI {fmt.pct(best.totals.roi_pct)} against "
            f"{fmt.pct(other.totals.roi_pct)} for *{fmt.esc(other.campaign.name)}*.")


def compare(a: CampaignReport, b: CampaignReport) -> Reply:
    """Two campaigns side by side."""
    blocks: list[Block] = [header(f"{a.campaign.name} vs {b.campaign.name}"), section(_verdict(a, b)),
                           table(["Campaign", a.campaign.name, b.campaign.name], _compare_rows(a, b), align=["left", "right", "right"])]
    if a.campaign.currency != b.campaign.currency:
        blocks.append(context(f"Different currencies ({fmt.esc(a.campaign.currency)} and {fmt.esc(b.campaign.currency)}): "
                              "compare ROI and ROAS, not the amounts."))
    text = (f"{fmt.esc(a.campaign.name)} vs {fmt.esc(b.campaign.name)}: ROI {roi_text(a.totals, a.started)} vs "
            f"{roi_text(b.totals, b.started)}")
    return Reply(text=text, blocks=blocks)


# -- /roi tiers ------------------------------------------------------------------------------------


def tiers(groups: Sequence[tuple[str, int, Metrics]], *, scope: str, currency: str, not_started: int = 0) -> Reply:
    """Results by follower tier, nano to mega, then unknown; `not_started` influencers are left out and counted."""
    blocks: list[Block] = [header(f"Results by follower tier · {scope}")]
    waiting = (f"Left out: {not_started} influencer{fmt.s(not_started)} whose campaign or enrolment has not started "
               "yet." if not_started else None)
    if not groups:
        why = "Nobody enrolled has started yet" if not_started else "No influencers enrolled yet"
        blocks.append(section(f"{why}, so there are no tiers to compare."))
        return Reply(text=f"Tiers ({fmt.esc(scope)}): {why.lower()}", blocks=blocks)
    body = [[TIER_NAMES.get(name, name), fmt.count(n), fmt.money(m.revenue, currency), fmt.money(m.cost, currency),
             fmt.money(m.profit, currency), fmt.pct(m.roi_pct), fmt.roas(m.roas), fmt.count(m.orders),
             fmt.pct(m.engagement_rate_pct)] for name, n, m in groups]
    blocks.append(table(["Tier", "Influencers", "Revenue", "Cost", "Profit", "ROI", "ROAS", "Orders", "Eng. rate"], body,
                        align=["left"] + ["right"] * 8))
    rated = [(name, n, m) for name, n, m in groups if m.roi_pct is not None]
    if rated:
        name, n, m = max(rated, key=lambda g: g[2].roi_pct)
        text = f"Tiers ({fmt.esc(scope)}): best ROI {name} at {fmt.pct(m.roi_pct)} (n={n:,})"
        caution = " A single influencer: too few to judge a tier by." if n == 1 else ""
        blocks.insert(1, section(f"Best return: *{name}* tier ({fmt.count(n)} influencer{fmt.s(n)}), ROI "
                                 f"{fmt.pct(m.roi_pct)} on {fmt.money(m.revenue, currency)} revenue.{caution}"))
    else:
        text = f"Tiers ({fmt.esc(scope)}): no costs recorded yet"
    if waiting:
        blocks.append(context(waiting))
    blocks.append(context("Tiers by followers: nano under 10,000 · micro under 100,000 · macro under 1,000,000 · mega above."))
    return Reply(text=text, blocks=blocks)


# -- /roi top --------------------------------------------------------------------------------------


def top(ranked: Sequence[tuple[Campaign, Row]], *, by: str, scope: str, several: bool, left_out: int) -> Reply:
    """A ranking of influencers by one figure; `several` adds the campaign column."""
    label = BY_LABEL[by]
    blocks: list[Block] = [header(f"Top {len(ranked)} by {label} · {scope}")]
    if not ranked:
        blocks.append(section(f"Nobody has any {label} yet: it takes orders, costs or engagement results."))
        return Reply(text=f"Top by {label} ({fmt.esc(scope)}): nobody yet", blocks=blocks)
    head = ["#", "Influencer"] + (["Campaign"] if several else []) + ["ROI", "ROAS", "Revenue", "Orders", "Eng. rate"]
    body = []
    for i, (camp, row) in enumerate(ranked, 1):
        m = row.metrics
        body.append([i, who(row)] + ([camp.name] if several else []) + [
            roi_text(m, row.started), roas_text(m, row.started), fmt.money(m.revenue, camp.currency), fmt.count(m.orders),
            fmt.pct(m.engagement_rate_pct)])
    blocks.append(table(head, body, align=["right", "left"] + (["left"] if several else []) + ["right"] * 5))
    if left_out:
        blocks.append(context(f"Left out: {left_out} influencer{fmt.s(left_out)} with no {label} yet."))
    first_camp, first = ranked[0]
    text = f"Top by {label} ({fmt.esc(scope)}): 1. {fmt.esc(first.influencer.handle)}"
    if several:
        text += f" in {fmt.esc(first_camp.name)}"
    return Reply(text=text, blocks=blocks)



# -- /roi underperformers (asker only) -------------------------------------------------------------

RULE = ("Checked: active influencers of running campaigns, past the campaign's grace days, who cost something. "
        "Flagged when ROI is under the campaign's minimum, revenue trails the goal prorated to today, or the "
        "engagement rate is under half the campaign median (with at least 3 rates to compare). The daily scan "
        "sends these alerts to each influencer's manager.")
BLOCK_BUDGET = 44  # leaves room under Slack's 50 blocks for the closing lines
MAX_CALM = 30


def underperformers(reports: Sequence[CampaignReport], *, today) -> Reply:
    """Who §6 would flag today in each running campaign, and every reason (as many campaigns as fit)."""
    blocks: list[Block] = [header(f"Underperformers today · {today.isoformat()}")]
    if not reports:
        blocks.append(section(f"No campaign is running today ({today.isoformat()}), so nobody would be flagged."))
        return Reply(text="No campaign is running today", blocks=blocks + [context(RULE)])
    calm = [fmt.esc(r.campaign.name) for r in reports if not r.flagged]
    total, unshown = 0, 0
    for report in (r for r in reports if r.flagged):
        camp, flagged = report.campaign, report.flagged
        total += len(flagged)
        if len(blocks) >= BLOCK_BUDGET:
            unshown += 1
            continue
        lines = [f"• *{fmt.esc(r.influencer.handle)}* ({_manager(r.influencer.manager_id)}): "
                 f"{reasons_text(r.reasons, camp.currency)}" for r in flagged[:MAX_FLAGGED]]
        more = f"…and {len(flagged) - MAX_FLAGGED} more." if len(flagged) > MAX_FLAGGED else None
        blocks += bullet_sections(f":warning: *{fmt.esc(camp.name)}*: {len(flagged)} of {len(report.rows)} "
                                  f"influencer{fmt.s(len(report.rows))} flagged", lines, more=more)
    if unshown:
        blocks.append(context(f"…and {unshown} more campaign{fmt.s(unshown)} with flagged influencers: "
                              "name one with `campaign=NAME`."))
    if calm:
        names = ", ".join(f"*{n}*" for n in calm[:MAX_CALM]) + (f" and {len(calm) - MAX_CALM} more" if len(calm) > MAX_CALM else "")
        blocks.append(section(f":white_check_mark: Nobody would be flagged in {names}."))
    blocks.append(context(RULE))
    text = f"{total} influencer{fmt.s(total)} would be flagged today" if total else "Nobody would be flagged today"
    return Reply(text=text, blocks=blocks)


def _manager(user_id: str | None) -> str:
    return f"manager {fmt.user(user_id)}" if user_id else "no manager: alerts go to the campaign channel"


def not_running(camp: Campaign, *, today) -> Reply:
    """`/roi underperformers campaign=NAME` for a campaign that is not running today."""
    text = (f"*{fmt.esc(camp.name)}* is not running today ({today.isoformat()}; its dates are "
            f"{fmt.span(camp.start, camp.end)}{', ended' if camp.status == 'ended' else ''}), so nobody in it is "
            "checked or flagged.")
    return Reply(text=f"{fmt.esc(camp.name)} is not running today", blocks=[section(text), context(RULE)])


# -- /roi sale (asker only) ------------------------------------------------------------------------


def sale(*, code: str, order_id: str, new: bool, day, amount, refunded, revenue, currency: str, camp: Campaign,
         credited: str | None, cut: tuple | None, before: tuple | None) -> Reply:
    """What `/roi sale` recorded or corrected, whom it is credited to, and how to correct it."""
    oid, money = fmt.esc(order_id), (lambda v: fmt.money(v, currency))
    if new:
        lines = [f":white_check_mark: Recorded sale `{oid}` on {day.isoformat()}: {money(amount)} with code `{fmt.esc(code)}`."]
    else:
        old_day, old_amount, old_refunded = before
        changes = [f"{label} {old} → {now}" for label, old, now in (
            ("date", old_day.isoformat(), day.isoformat()), ("amount", money(old_amount), money(amount)),
            ("refunded", money(old_refunded), money(refunded))) if old != now]
        lines = [f":white_check_mark: Updated sale `{oid}`: " + (", ".join(changes) if changes else "nothing changed") + "."]
    if refunded:
        lines.append(f"Counts as {money(revenue)} revenue after {money(refunded)} refunded.")
    if credited:
        lines.append(f"Credited to *{fmt.esc(credited)}* in *{fmt.esc(camp.name)}*.")
    elif cut:
        lines.append(f":information_source: Not credited to anyone: *{fmt.esc(cut[0])}* was cut from "
                     f"*{fmt.esc(camp.name)}* on {cut[1].isoformat()}, and later orders do not count for them.")
    else:
        lines.append(":information_source: Not credited to anyone: no registered code matched it on that date.")
    hint = (f"Correct it with `/roi sale {fmt.esc(code)} id={oid} amount=AMOUNT refunded=AMOUNT`; "
            f"`/roi campaign {fmt.esc(camp.name)}` includes it now.")
    verb = "Recorded" if new else "Updated"
    return Reply(text=f"{verb} sale {oid}: {money(amount)} with code {fmt.esc(code)}", blocks=[section("\n".join(lines)), context(hint)])


# -- /roi import (asker only) ----------------------------------------------------------------------


def import_help(*, max_mb: int) -> Reply:
    """How to share an export with the bot, and what happens to it."""
    kinds = (
        "*Orders*: a Shopify export (Orders → Export), a WooCommerce export (Analytics → Orders → Download), or "
        "your own CSV with `order_id,date,amount[,code][,currency][,refunded][,utm_campaign][,utm_content]`\n"
        "*Roster*: `handle[,platform][,followers][,manager][,campaign][,fee][,commission][,product_cost]"
        "[,goal_revenue][,start][,code][,url]` — influencers, enrolments and codes in bulk\n"
        "*Engagement stats*: `handle,campaign,date[,post][,impressions][,reach][,likes][,comments][,shares]"
        "[,saves][,clicks][,views]`"
    )
    what = (
        "I tell the kind apart by the header row and import the whole file in one go, then reply with a summary: "
        "orders new / updated / unchanged, attributed to influencers (by registered code, else by UTM link), "
        "outside a campaign window, in another currency, and every rejected row with its row number and why. "
        "Sharing the same export again changes nothing; a changed refund is updated. Orders are credited as soon "
        "as their code is registered, even later."
    )
    blocks = [
        header("Share an export with ROI bot"),
        section("Open a direct message with me (*ROI bot* under Apps), drag the CSV file in and send it."),
        section(kinds),
        section(what),
        context(f"CSV files up to {max_mb} MB, UTF-8 or UTF-16. One order by hand: "
                "`/roi sale CODE amount=AMOUNT [date=DATE]`. On the server: `roi-bot import orders FILE`."),
    ]
    return Reply(text="How to share an export with ROI bot: send the CSV in a direct message", blocks=blocks)


# -- delivery -------------------------------------------------------------------------------------

WHY = {"not_in_channel": "I'm not a member of that channel",
       "channel_not_found": "I can't see that channel (it is private, or I'm not in it)"}


def moved_to_dm(channel_id: str, reason: str) -> Reply:
    """Told to the asker when the answer went to their DM because the bot may not post in the channel."""
    text = (f":information_source: I couldn't post in {fmt.channel(channel_id)}: {WHY.get(reason, reason)}. "
            "So I sent the answer, charts included, to our direct messages.")
    return Reply(text="I sent the answer to our direct messages",
                 blocks=[section(text), context("To get answers in the channel, invite me there: `/invite @ROI bot`")])
