"""Messages about influencers: added/enrolled, lists, profile card, changes, removal (and the question asked before
removing someone with results), stats, usage."""

from __future__ import annotations

from typing import Any

from bot.models import Campaign, Code, EngagementStat, Enrolment, Influencer
from bot.registry.influencers import Holdings
from bot.values import row_id
from handlers.blocks import fmt
from handlers.blocks.campaigns import relinked_note, show_value
from handlers.blocks.help import usage_reply
from handlers.blocks.kit import Reply, actions, button, context, divider, fields, header, section, table
from metrics.status import Status
from metrics.tiers import tier

COUNTERS = ("impressions", "reach", "likes", "comments", "shares", "saves", "clicks", "views")
REMOVE, CANCEL = "roi_influencer_remove", "roi_influencer_remove_cancel"  # the buttons' action ids
REMOVE_BLOCK = "roi_influencer_remove"
NOTHING_REMOVED = "Nothing was removed."


def usage() -> Reply:
    """`/influencer help`."""
    return usage_reply("influencer")


def _profile(person: Influencer) -> list[tuple[str, str]]:
    return [
        ("Platform", person.platform),
        ("Followers", f"{fmt.count(person.followers)} ({tier(person.followers)})" if person.followers is not None else "unknown"),
        ("Manager", fmt.user(person.manager_id)),
    ]


def _terms(e: Enrolment) -> list[tuple[str, str]]:
    cur = e.campaign.currency
    pairs = [
        ("Fee", fmt.money(e.fee, cur)),
        ("Commission", fmt.pct(e.commission_pct)),
        ("Product cost", fmt.money(e.product_cost, cur)),
        ("Goal revenue", fmt.money(e.goal_revenue, cur) if e.goal_revenue is not None else "none"),
        ("Starts", fmt.day(e.start)),
        ("Status", e.status + (f" since {e.cut_on.isoformat()}" if e.cut_on else "")),
    ]
    return pairs


def added(person: Influencer, enrolment: Enrolment | None, *, new_person: bool, changes: list) -> Reply:
    """Confirmation of `/influencer add`."""
    name = fmt.esc(person.handle)
    if enrolment is None:
        lead = f":white_check_mark: *{name}* is registered."
        text = f"Influencer {person.handle} added."
    else:
        camp = enrolment.campaign.name
        lead = (f":white_check_mark: *{name}* is registered and enrolled in *{fmt.esc(camp)}*." if new_person
                else f":white_check_mark: *{name}* is now enrolled in *{fmt.esc(camp)}*.")
        text = f"Influencer {person.handle} enrolled in {camp}."
    blocks = [section(lead), *fields(_profile(person) + (_terms(enrolment) if enrolment else []))]
    if changes:
        blocks.append(context("Also updated: " + ", ".join(f"{k} → {show_value(k, new)}" for k, _, new in changes)))
    if enrolment is not None:
        blocks.append(context(f"Next: `/code add CODE {person.handle} campaign={enrolment.campaign.name}` so their orders count."))
    else:
        blocks.append(context(f"Next: `/influencer add {person.handle} campaign=NAME fee=AMOUNT` to put them in a campaign."))
    return Reply(text=text, blocks=blocks)


def listing(people: list[Influencer], campaigns_of: dict[int, list[str]]) -> Reply:
    """`/influencer list` as a table."""
    if not people:
        return Reply(text="No influencers yet.", blocks=[section("No influencers yet. Add one with `/influencer add HANDLE platform=instagram followers=25000`.")])
    rows = [
        [p.handle, p.platform, fmt.count(p.followers) if p.followers is not None else "–", tier(p.followers),
         ", ".join(campaigns_of.get(p.id, [])) or "–"]
        for p in people
    ]
    blocks = [header(f"Influencers ({len(people)})"),
              table(["Influencer", "Platform", "Followers", "Tier", "Campaigns"], rows, align=["left", "left", "right", "left", "left"])]
    if len(people) > 99:
        blocks.append(context(f"Showing the first 99 of {len(people)}; narrow it with `campaign=NAME`."))
    return Reply(text=f"{len(people)} influencers", blocks=blocks)


def lineup(camp: Campaign, rows: list[Enrolment]) -> Reply:
    """`/influencer list campaign=NAME`: the campaign's influencers with their terms."""
    if not rows:
        return Reply(text=f"No influencers in {camp.name} yet.",
                     blocks=[section(f"No influencers in *{fmt.esc(camp.name)}* yet. Add one with `/influencer add HANDLE campaign={camp.name} fee=AMOUNT`.")])
    cur = camp.currency
    body = [[e.influencer.handle, e.influencer.platform, tier(e.influencer.followers), fmt.money(e.fee, cur),
             fmt.pct(e.commission_pct), fmt.money(e.product_cost, cur), fmt.day(e.start), e.status] for e in rows]
    return Reply(
        text=f"{len(rows)} influencers in {camp.name}",
        blocks=[header(f"Influencers in {camp.name} ({len(rows)})"),
                table(["Influencer", "Platform", "Tier", "Fee", "Commission", "Product cost", "Start", "Status"], body,
                      align=["left", "left", "left", "right", "right", "right", "left", "left"])],
    )


def card(person: Influencer, codes: dict[int, list[Code]]) -> Reply:
    """`/influencer show HANDLE`."""
    blocks = [header(f"{person.handle}"), *fields(_profile(person))]
    for e in person.enrolments:
        blocks.append(divider())
        blocks.append(section(f"*{fmt.esc(e.campaign.name)}*"))
        blocks += fields(_terms(e))
        mine = codes.get(e.id, [])
        if mine:
            blocks.append(context("Codes: " + ", ".join(f"`{fmt.esc(c.code)}`" for c in mine)))
    if not person.enrolments:
        blocks.append(context(f"Not in any campaign yet: `/influencer add {person.handle} campaign=NAME fee=AMOUNT`."))
    return Reply(text=f"{person.handle}: {person.platform}, {len(person.enrolments)} campaigns", blocks=blocks[:50])


def changed(person: Influencer, changes: list[tuple[str, Any, Any]], *, enrolment: Enrolment | None, relinked: int = 0) -> Reply:
    """Confirmation of `/influencer set`."""
    where = f" in *{fmt.esc(enrolment.campaign.name)}*" if enrolment else ""
    if not changes:
        return Reply(text="Nothing changed.", blocks=[section(f"Nothing changed: *{fmt.esc(person.handle)}*{where} already has those values.")])
    cur = enrolment.campaign.currency if enrolment else ""
    lines = [f"• *{k}*: {show_value(k, old, cur)} → {show_value(k, new, cur)}" for k, old, new in changes]
    note = ""
    if enrolment is not None and any(k == "status" for k, _, _ in changes) and enrolment.status == Status.CUT:
        note = f"\nOrders after {enrolment.cut_on.isoformat()} no longer count for them here, and alerts stop."
    return Reply(text=f"{person.handle} updated", blocks=[section(f":pencil2: Updated *{fmt.esc(person.handle)}*{where}\n" + "\n".join(lines) + note + relinked_note(relinked))])


def removed(handle: str, counts: dict[str, int]) -> Reply:
    """Confirmation of `/influencer remove`."""
    detail = (f"{counts['campaigns']} enrolment{fmt.s(counts['campaigns'])}, {counts['codes']} code{fmt.s(counts['codes'])} "
              f"and {counts['stats']} stats row{fmt.s(counts['stats'])} went with them")
    return Reply(text=f"{handle} removed.", blocks=[section(f":wastebasket: Removed *{fmt.esc(handle)}*: {detail}. Their orders stay, no longer attributed.")])


def _n(count: int, thing: str) -> str:
    return f"{count:,} {thing}{fmt.s(count)}"


def removal_value(influencer_id: int, handle_key: str, held: Holdings) -> str:
    """What the Remove and Cancel buttons carry: the influencer's id, and the handle and counts the question showed,
    so a click can tell that the influencer changed since (`read_removal_value`)."""
    return " ".join(str(v) for v in (influencer_id, handle_key, held.enrolments, held.codes, held.orders, held.stats))


def read_removal_value(value: str) -> tuple[int, str, Holdings] | None:
    """The id, handle and counts a button carries, or None for a value this app never wrote."""
    parts = str(value or "").split(" ")
    numbers = [row_id(p) for p in (parts[:1] + parts[2:])]
    if len(parts) != 6 or None in numbers or not parts[1]:
        return None
    influencer_id, *counts = numbers
    return influencer_id, parts[1], Holdings(*counts)


def confirm_removal(person: Influencer, held: Holdings) -> Reply:
    """`/influencer remove` of someone with results: what would be lost, a Remove button (confirmed) and Cancel."""
    handle, value = fmt.esc(person.handle), removal_value(person.id, person.handle_key, held)
    orders = _n(held.orders, "credited order")
    lost = [f"• take {orders} off them (kept, but credited to no one)",
            f"• delete {_n(held.stats, 'engagement stats row')}",
            f"• delete {_n(held.enrolments, 'enrolment')} and {_n(held.codes, 'code')}"]
    confirm = {
        "title": {"type": "plain_text", "text": f"Remove {person.handle}?"[:100]},
        "text": {"type": "plain_text", "text": (
            f"{person.handle} loses {orders} (kept, credited to no one); {_n(held.stats, 'stats row')}, "
            f"{_n(held.enrolments, 'enrolment')} and {_n(held.codes, 'code')} are deleted. "
            "This cannot be undone.")[:300]},
        "confirm": {"type": "plain_text", "text": "Remove"},
        "deny": {"type": "plain_text", "text": "Keep them"},
        "style": "danger",
    }
    remove = {**button(f"Remove {person.handle}", REMOVE, value, style="danger"), "confirm": confirm}
    return Reply(
        text=f"Remove {person.handle}? They have {orders} and {_n(held.stats, 'stats row')}.",
        blocks=[section(f":warning: *{handle}* has results. Removing them now would:\n" + "\n".join(lost)),
                actions(remove, button("Cancel", CANCEL, value), block_id=REMOVE_BLOCK),
                context("Nothing is removed until you click Remove. To stop them counting from now on instead, keep "
                        f"their history: `/influencer set {person.handle} campaign=NAME status=cut`.")],
    )


def removal_cancelled() -> Reply:
    """The question, answered with Cancel."""
    return Reply(text=NOTHING_REMOVED, blocks=[section(f":ok_hand: {NOTHING_REMOVED}")])


def removal_gone() -> Reply:
    """A Remove click on someone no longer registered here (removed already, or never in this workspace)."""
    text = "That influencer is no longer registered in this workspace (removed already?)."
    return Reply(text=f"{text} {NOTHING_REMOVED}", blocks=[section(f":information_source: {text}"),
                                                          context(NOTHING_REMOVED)])


def removal_changed(handle: str, asked_handle: str, now: Holdings) -> Reply:
    """A Remove click on someone who changed since the question: renamed, or with other results now."""
    name = fmt.esc(handle)
    if handle.lower() != asked_handle:
        what = f"The influencer you asked about is now called *{name}*"
    else:
        what = (f"*{name}* changed since you asked: now {_n(now.orders, 'credited order')}, "
                f"{_n(now.stats, 'stats row')}, {_n(now.enrolments, 'enrolment')} and {_n(now.codes, 'code')}")
    return Reply(text=f"{handle} changed since you asked. {NOTHING_REMOVED}",
                 blocks=[section(f":information_source: {what}. Run `/influencer remove {name}` again to see what "
                                 "removing them would take now."), context(NOTHING_REMOVED)])


def removal_not_allowed() -> Reply:
    """A Remove click by someone ROI_ADMINS leaves out."""
    return Reply(text=f"Only the ROI bot admins can remove influencers in this workspace. {NOTHING_REMOVED}",
                 blocks=[section(":no_entry: Only the ROI bot admins can remove influencers in this workspace; ask "
                                 "one of them."), context(NOTHING_REMOVED)])


def stats_recorded(person: Influencer, camp: Campaign, stat: EngagementStat, *, created: bool) -> Reply:
    """Confirmation of `/influencer stats`."""
    what = f"post {fmt.esc(stat.post)}" if stat.post else f"{stat.stat_date.isoformat()}"
    verb = "Recorded" if created else "Replaced"
    counters = [(name.capitalize(), fmt.count(getattr(stat, name))) for name in COUNTERS if getattr(stat, name) is not None]
    return Reply(
        text=f"{verb} stats for {person.handle} in {camp.name}.",
        blocks=[section(f":bar_chart: {verb} results of *{fmt.esc(person.handle)}* in *{fmt.esc(camp.name)}* for {what}."), *fields(counters)],
    )
