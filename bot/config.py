"""Settings: read once from the environment (and a `.env` file), validated, frozen; secrets never print."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import time
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.errors import ConfigError

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///roi.db"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
MAX_CHART_WORKERS = 16
_SECRET_FIELDS = {"bot_token", "signing_secret", "app_token", "client_secret", "state_secret", "shopify_client_secret",
                  "shopify_access_token", "woocommerce_key", "woocommerce_secret", "woocommerce_webhook_secret"}
DEFAULT_SHOPIFY_API_VERSION = "2025-10"
MAX_SYNC_MINUTES = 7 * 24 * 60
_SHOP_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
_API_VERSION = re.compile(r"20[0-9]{2}-(?:01|04|07|10)")


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment (SPEC §1)."""

    bot_token: str | None = field(default=None, repr=False)
    signing_secret: str | None = field(default=None, repr=False)
    app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "UTC"
    alert_time: str = "10:00"
    admins: frozenset[str] = frozenset()
    port: int = 3000
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    state_secret: str | None = field(default=None, repr=False)
    chart_workers: int = 2
    # Live stores (SPEC §8): the one store connection configured from the environment.
    shopify_shop: str | None = None
    shopify_client_id: str | None = None
    shopify_client_secret: str | None = field(default=None, repr=False)
    shopify_access_token: str | None = field(default=None, repr=False)
    shopify_api_url: str | None = None
    shopify_api_version: str = DEFAULT_SHOPIFY_API_VERSION
    woocommerce_url: str | None = None
    woocommerce_key: str | None = field(default=None, repr=False)
    woocommerce_secret: str | None = field(default=None, repr=False)
    woocommerce_webhook_secret: str | None = field(default=None, repr=False)
    sync_minutes: int = 60

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, dotenv: Path | None = Path(".env")) -> Settings:
        """Build settings from `environ` (default `os.environ`) over a `.env` file; the environment wins."""
        values: dict[str, str] = {}
        if dotenv is not None and dotenv.is_file():
            values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
        values.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = values.get(name, "").strip()
            return value or None

        port_text = get("PORT") or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(f"PORT must be a port number from 1 to 65535, not {port_text!r}")
        workers_text = get("ROI_CHART_WORKERS") or "2"
        if not workers_text.isdigit() or int(workers_text) > MAX_CHART_WORKERS:
            raise ConfigError(f"ROI_CHART_WORKERS must be a whole number from 0 to {MAX_CHART_WORKERS}, "
                              f"not {workers_text!r}")
        sync_text = get("ROI_SYNC_MINUTES") or "60"
        if not sync_text.isdigit() or int(sync_text) > MAX_SYNC_MINUTES:
            raise ConfigError(f"ROI_SYNC_MINUTES must be a whole number of minutes from 0 (never) to "
                              f"{MAX_SYNC_MINUTES}, not {sync_text!r}")
        settings = cls(
            bot_token=get("SLACK_BOT_TOKEN"),
            signing_secret=get("SLACK_SIGNING_SECRET"),
            app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=get("SLACK_API_URL") or DEFAULT_API_URL,
            database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            timezone=get("ROI_TIMEZONE") or "UTC",
            alert_time=get("ROI_ALERT_TIME") or "10:00",
            admins=frozenset(a.strip() for a in (get("ROI_ADMINS") or "").split(",") if a.strip()),
            port=int(port_text),
            client_id=get("SLACK_CLIENT_ID"),
            client_secret=get("SLACK_CLIENT_SECRET"),
            state_secret=get("SLACK_STATE_SECRET"),
            chart_workers=int(workers_text),
            shopify_shop=(get("SHOPIFY_SHOP") or "").lower() or None,
            shopify_client_id=get("SHOPIFY_CLIENT_ID"),
            shopify_client_secret=get("SHOPIFY_CLIENT_SECRET"),
            shopify_access_token=get("SHOPIFY_ACCESS_TOKEN"),
            shopify_api_url=get("SHOPIFY_API_URL"),
            shopify_api_version=get("SHOPIFY_API_VERSION") or DEFAULT_SHOPIFY_API_VERSION,
            woocommerce_url=get("WOOCOMMERCE_URL"),
            woocommerce_key=get("WOOCOMMERCE_KEY"),
            woocommerce_secret=get("WOOCOMMERCE_SECRET"),
            woocommerce_webhook_secret=get("WOOCOMMERCE_WEBHOOK_SECRET"),
            sync_minutes=int(sync_text),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise ConfigError naming the first malformed variable."""
        if not self.slack_api_url.startswith(("http://", "https://")):
            raise ConfigError("SLACK_API_URL must be an http(s) URL, e.g. https://slack.com/api/")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"ROI_TIMEZONE must be an IANA time zone such as Europe/Berlin, not {self.timezone!r}")
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", self.alert_time):
            raise ConfigError(f"ROI_ALERT_TIME must be HH:MM (24-hour), not {self.alert_time!r}")
        bad = sorted(a for a in self.admins if not _USER_ID.match(a))
        if bad:
            raise ConfigError(f"ROI_ADMINS must be comma-separated Slack user ids like U012ABCDEF; not: {', '.join(bad)}")
        if self.bot_token and not self.bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        if self.app_token and not self.app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
        oauth = [self.client_id, self.client_secret, self.state_secret]
        if any(oauth) and not all(oauth):
            raise ConfigError("SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET go together: set all three or none")
        self._validate_stores()

    def _validate_stores(self) -> None:
        """The SPEC §8 variables: each store's address first, then what goes with it."""
        shopify = {"SHOPIFY_CLIENT_ID": self.shopify_client_id, "SHOPIFY_CLIENT_SECRET": self.shopify_client_secret,
                   "SHOPIFY_ACCESS_TOKEN": self.shopify_access_token, "SHOPIFY_API_URL": self.shopify_api_url}
        if self.shopify_shop is None:
            stray = [name for name, value in shopify.items() if value]
            if stray:
                raise ConfigError(f"{', '.join(stray)} set without SHOPIFY_SHOP: set SHOPIFY_SHOP to the store, "
                                  "like name.myshopify.com")
        elif not _SHOP_DOMAIN.fullmatch(self.shopify_shop):
            raise ConfigError(f"SHOPIFY_SHOP must be the store's domain like name.myshopify.com (no https:// or "
                              f"path), not {self.shopify_shop!r}")
        elif not (self.shopify_access_token or self.shopify_client_secret):
            raise ConfigError("SHOPIFY_SHOP needs SHOPIFY_CLIENT_SECRET (it signs the webhooks) or "
                              "SHOPIFY_ACCESS_TOKEN")
        if self.shopify_client_id and not self.shopify_client_secret:
            raise ConfigError("SHOPIFY_CLIENT_ID needs SHOPIFY_CLIENT_SECRET: set both or neither")
        if self.shopify_api_url and not self.shopify_api_url.startswith(("http://", "https://")):
            raise ConfigError("SHOPIFY_API_URL must be an http(s) URL, e.g. https://name.myshopify.com")
        if not _API_VERSION.fullmatch(self.shopify_api_version):
            raise ConfigError(f"SHOPIFY_API_VERSION must be a Shopify API version YYYY-MM (months 01, 04, 07, 10), "
                              f"like {DEFAULT_SHOPIFY_API_VERSION}, not {self.shopify_api_version!r}")
        woo = {"WOOCOMMERCE_KEY": self.woocommerce_key, "WOOCOMMERCE_SECRET": self.woocommerce_secret,
               "WOOCOMMERCE_WEBHOOK_SECRET": self.woocommerce_webhook_secret}
        if self.woocommerce_url is None:
            stray = [name for name, value in woo.items() if value]
            if stray:
                raise ConfigError(f"{', '.join(stray)} set without WOOCOMMERCE_URL: set WOOCOMMERCE_URL to the store's "
                                  "address, like https://shop.example")
        elif not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", self.woocommerce_url):
            raise ConfigError("WOOCOMMERCE_URL must be the store's http(s) address, like https://shop.example")
        if bool(self.woocommerce_key) != bool(self.woocommerce_secret):
            raise ConfigError("WOOCOMMERCE_KEY and WOOCOMMERCE_SECRET go together: set both or neither")

    def require(self, *names: str) -> None:
        """Raise ConfigError listing the environment variables a command needs but does not have."""
        attrs = {
            "SLACK_BOT_TOKEN": "bot_token",
            "SLACK_SIGNING_SECRET": "signing_secret",
            "SLACK_APP_TOKEN": "app_token",
        }
        missing = [n for n in names if not getattr(self, attrs[n])]
        if "SLACK_BOT_TOKEN" in missing and self.oauth_enabled:
            missing.remove("SLACK_BOT_TOKEN")
        if missing:
            raise ConfigError(f"{', '.join(missing)} must be set (in the environment or .env) for this command")

    @property
    def oauth_enabled(self) -> bool:
        """True when multi-workspace OAuth installs are configured."""
        return bool(self.client_id and self.client_secret and self.state_secret)

    @property
    def shopify_base_url(self) -> str | None:
        """SHOPIFY_API_URL, by default `https://<SHOPIFY_SHOP>`; None without a Shopify store."""
        if self.shopify_shop is None:
            return None
        return (self.shopify_api_url or f"https://{self.shopify_shop}").rstrip("/")

    @property
    def tz(self) -> ZoneInfo:
        """The zone for schedules, 'today' and order dates."""
        return ZoneInfo(self.timezone)

    @property
    def alert_at(self) -> time:
        """ROI_ALERT_TIME as a time of day."""
        hour, minute = self.alert_time.split(":")
        return time(int(hour), int(minute))

    def with_(self, **changes) -> Settings:
        """A copy with some fields changed (tests and the demo use this)."""
        return replace(self, **changes)

    def _database_password(self) -> str | None:
        try:
            return urlsplit(self.database_url).password
        except ValueError:  # a malformed URL: nothing to find, and showing it must not fail
            return None

    def secrets(self) -> list[str]:
        """The secret values in force (tokens, signing and OAuth secrets, the database password), so logging can
        redact them."""
        found = [v for f in fields(self) if f.name in _SECRET_FIELDS and (v := getattr(self, f.name))]
        password = self._database_password()
        return found + list(dict.fromkeys([password, unquote(password)])) if password else found

    def __str__(self) -> str:
        def shown(name: str):
            value = getattr(self, name)
            if name in _SECRET_FIELDS and value:
                return "'***'"
            if name == "database_url" and (password := self._database_password()):
                return repr(value.replace(f":{password}@", ":***@"))
            return repr(value)

        return f"Settings({', '.join(f'{f.name}={shown(f.name)}' for f in fields(self))})"

    __repr__ = __str__
