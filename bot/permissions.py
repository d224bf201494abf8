"""Who may change data (SPEC §7) and who may decide on an underperformer alert (SPEC §6).

One rule for every path a person changes data through: slash commands (handlers.commands), the alert buttons
(handlers.alert_actions) and CSV files shared in a DM with the bot (handlers.files). When `ROI_ADMINS` is set,
only the people it names may change data; when it is empty, every member may. Deciding on an alert is the one
widening of that rule: the influencer's manager decides too, because the alert was sent to them to decide.

Store webhooks and scheduled jobs are not people's actions: they are authenticated by their own signatures and
leases, not by this rule. Each caller words its own refusal (handlers.blocks), since what to do next differs.
"""

from __future__ import annotations

from bot.config import Settings

Admins = Settings | frozenset[str]


def admins_of(rules: Admins) -> frozenset[str]:
    """The `ROI_ADMINS` user ids, from the settings or given as they are."""
    return rules.admins if isinstance(rules, Settings) else frozenset(rules)


def may_change(rules: Admins, user_id: str | None) -> bool:
    """True when `ROI_ADMINS` is empty or names this user."""
    admins = admins_of(rules)
    return not admins or user_id in admins


def may_decide(rules: Admins, manager: str | None, user_id: str | None) -> bool:
    """The influencer's manager and whoever may change data decide; with a manager and no admins, only the manager."""
    if not manager:
        return may_change(rules, user_id)
    return user_id == manager or user_id in admins_of(rules)
