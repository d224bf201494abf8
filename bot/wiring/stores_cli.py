"""`roi-bot store connect|list|disconnect|sync` (SPEC §8): a store per workspace, and pulling its orders now.

Secrets come from the environment variables of SPEC §8 or, for any not set, from stdin as `NAME=value` lines: never
from the command line, where `ps` and the shell history would show them. Nothing here prints a secret.
"""

from __future__ import annotations

import json
import sys

from sqlalchemy import delete, select

from bot.config import Settings
from bot.errors import InputError
from bot.imports.summary import as_text
from bot.models import StoreConnection, StoreDelivery, Workspace
from bot.registry import lookup
from bot.runtime import Runtime
from bot.stores import connections
from bot.stores.shopify_api import NotConfigured, StoreError
from bot.stores.sync import sync
from bot.values import parse_date

# Per kind: each variable, the Settings field it is read from, and the `connections.connect` argument it fills.
VARIABLES = {
    "shopify": {"SHOPIFY_SHOP": ("shopify_shop", "shop"), "SHOPIFY_CLIENT_ID": ("shopify_client_id", "api_key"),
                "SHOPIFY_CLIENT_SECRET": ("shopify_client_secret", "webhook_secret"),
                "SHOPIFY_ACCESS_TOKEN": ("shopify_access_token", "access_token"),
                "SHOPIFY_API_URL": ("shopify_api_url", "api_url")},
    "woocommerce": {"WOOCOMMERCE_URL": ("woocommerce_url", "shop"), "WOOCOMMERCE_KEY": ("woocommerce_key", "api_key"),
                    "WOOCOMMERCE_SECRET": ("woocommerce_secret", "api_secret"),
                    "WOOCOMMERCE_WEBHOOK_SECRET": ("woocommerce_webhook_secret", "webhook_secret")},
}


def _stdin_values(kind: str) -> dict[str, str]:
    """`NAME=value` lines from stdin (blank lines and `#` comments skipped); a line of another shape, or a name this
    kind does not take, is refused by its line number only: the line may hold a secret."""
    if sys.stdin is None:
        return {}
    if sys.stdin.isatty():
        print(f"Enter the missing {kind} settings as NAME=value lines, then Ctrl-D:", file=sys.stderr)
    found: dict[str, str] = {}
    for number, line in enumerate(sys.stdin, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, sep, value = text.partition("=")
        name = name.strip().upper()
        if not sep or name not in VARIABLES[kind]:
            raise InputError("stdin", f"line {number} is not NAME=value with one of {', '.join(VARIABLES[kind])}")
        found[name] = value.strip()
    return found


def _missing(kind: str, values: dict[str, str]) -> list[str]:
    """What a connection of `kind` still needs: the shop, what verifies its webhooks, and API access."""
    if kind == "shopify":
        needs = [] if values.get("SHOPIFY_SHOP") else ["SHOPIFY_SHOP"]
        if not (values.get("SHOPIFY_CLIENT_SECRET") or values.get("SHOPIFY_ACCESS_TOKEN")):
            needs.append("SHOPIFY_CLIENT_SECRET (or SHOPIFY_ACCESS_TOKEN)")
        elif values.get("SHOPIFY_CLIENT_ID") and not values.get("SHOPIFY_CLIENT_SECRET"):
            needs.append("SHOPIFY_CLIENT_SECRET")
        return needs
    needs = [] if values.get("WOOCOMMERCE_URL") else ["WOOCOMMERCE_URL"]
    if not (values.get("WOOCOMMERCE_WEBHOOK_SECRET") or values.get("WOOCOMMERCE_KEY")):
        needs.append("WOOCOMMERCE_WEBHOOK_SECRET (or WOOCOMMERCE_KEY and WOOCOMMERCE_SECRET)")
    if bool(values.get("WOOCOMMERCE_KEY")) != bool(values.get("WOOCOMMERCE_SECRET")):
        needs.append("WOOCOMMERCE_SECRET" if values.get("WOOCOMMERCE_KEY") else "WOOCOMMERCE_KEY")
    return needs


def connect(settings: Settings, args) -> int:
    """Connect the store the environment (or stdin) describes to the workspace `--team` names."""
    names = VARIABLES[args.kind]
    values = {name: getattr(settings, attr) for name, (attr, _) in names.items() if getattr(settings, attr)}
    if _missing(args.kind, values):
        values = {**_stdin_values(args.kind), **values}  # the environment wins
    missing = _missing(args.kind, values)
    if missing:
        raise InputError("store connect", f"missing {', '.join(missing)}",
                         "the environment variables of docs/operations.md, or NAME=value lines on stdin")
    given = {names[name][1]: value for name, value in values.items()}
    if args.kind == "woocommerce" and "api_url" not in given:
        given["api_url"] = given["shop"].rstrip("/")
    runtime = Runtime.build(settings)
    try:
        with runtime.sessions.begin() as session:
            ws = lookup.team_workspace(session, args.team)
            kind, shop = args.kind, given.pop("shop")
            found = connections.connect(session, ws, kind, shop, webhook_secret=given.pop("webhook_secret", None),
                                        **given)
            team, key = ws.team_id, found.shop
    finally:
        runtime.engine.dispose()
    print(f"Connected the {kind} store {key} to workspace {team}.")
    return 0


def _connection(session, kind: str, team: str | None) -> tuple[Workspace, StoreConnection]:
    ws = lookup.team_workspace(session, team)
    found = session.scalar(select(StoreConnection).where(StoreConnection.workspace_id == ws.id,
                                                         StoreConnection.kind == kind))
    if found is None:
        raise InputError("store", f"no {kind} store is connected to workspace {ws.team_id}",
                         f"`roi-bot store connect {kind}` first (`roi-bot store list` shows what is connected)")
    return ws, found


def disconnect(settings: Settings, args) -> int:
    """Forget the workspace's store of that kind (its orders stay; its pending deliveries go)."""
    runtime = Runtime.build(settings)
    try:
        with runtime.sessions.begin() as session:
            ws, found = _connection(session, args.kind, args.team)
            shop = found.shop
            session.execute(delete(StoreDelivery).where(StoreDelivery.connection_id == found.id))
            session.delete(found)
    finally:
        runtime.engine.dispose()
    print(f"Disconnected the {args.kind} store {shop} from workspace {ws.team_id}; its orders stay.")
    return 0


def _when(moment) -> str:
    return "never" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def list_stores(settings: Settings, args) -> int:
    """Every connection: kind, shop, workspace, status, last delivery and last sync (never a secret)."""
    runtime = Runtime.build(settings)
    try:
        with runtime.reads.begin() as session:
            rows = session.execute(select(StoreConnection, Workspace.team_id)
                                   .join(Workspace, Workspace.id == StoreConnection.workspace_id)
                                   .order_by(Workspace.team_id, StoreConnection.kind, StoreConnection.shop)).all()
            found = [{"kind": c.kind, "shop": c.shop, "team": team,
                      "status": "uninstalled" if c.uninstalled_at else "connected",
                      "last_delivery_at": c.last_delivery_at, "last_sync_at": c.last_sync_at,
                      "sync_under_way": c.sync_started_at is not None} for c, team in rows]
    finally:
        runtime.engine.dispose()
    if getattr(args, "json", False):
        print(json.dumps([{**f, "last_delivery_at": f["last_delivery_at"] and f["last_delivery_at"].isoformat(),
                           "last_sync_at": f["last_sync_at"] and f["last_sync_at"].isoformat()} for f in found]))
        return 0
    if not found:
        print("No store is connected. Connect one with `roi-bot store connect shopify|woocommerce`.")
        return 0
    print(f"{'KIND':<12} {'SHOP':<36} {'WORKSPACE':<12} {'STATUS':<12} {'LAST DELIVERY':<21} LAST SYNC")
    for f in found:
        last_sync = _when(f["last_sync_at"]) + (" (one under way)" if f["sync_under_way"] else "")
        print(f"{f['kind']:<12} {f['shop']:<36} {f['team']:<12} {f['status']:<12} "
              f"{_when(f['last_delivery_at']):<21} {last_sync}")
    return 0


def run_sync(settings: Settings, args) -> int:
    """Pull the workspace's connected stores now and print each summary; 2 when a store lacks a setting the sync
    needs (found before any call), 1 when a store failed us."""
    since = parse_date(args.since, "--since") if args.since is not None else None
    runtime = Runtime.build(settings)
    failed = 0
    try:
        with runtime.reads.begin() as session:
            ws = lookup.team_workspace(session, args.team)
            targets = list(session.execute(select(StoreConnection.id, StoreConnection.kind, StoreConnection.shop)
                                           .where(StoreConnection.workspace_id == ws.id,
                                                  StoreConnection.uninstalled_at.is_(None))
                                           .order_by(StoreConnection.kind)).all())
            team = ws.team_id
        if not targets:
            raise InputError("--team", f"no store is connected to workspace {team}",
                             "`roi-bot store connect shopify|woocommerce` first")
        for connection_id, kind, shop in targets:
            try:
                summary = sync(runtime.sessions, connection_id, tz=settings.tz, now=runtime.clock(), since=since,
                               api_version=settings.shopify_api_version)
            except StoreError as error:
                print(f"roi-bot: {error.message}", file=sys.stderr)
                failed = max(failed, 2 if isinstance(error, NotConfigured) else 1)
                continue
            if args.json:
                print(json.dumps({"store": kind, "shop": shop, **summary.as_json()}, ensure_ascii=False))
            else:
                print(as_text(summary))
    finally:
        runtime.engine.dispose()
    return failed


def run(settings: Settings, args) -> int:
    """Dispatch `roi-bot store ACTION`."""
    actions = {"connect": connect, "disconnect": disconnect, "list": list_stores, "sync": run_sync}
    return actions[args.action](settings, args)
