"""WooCommerce's REST API (`<url>/wp-json/wc/v3/`), as the sync uses it (SPEC §8): orders modified since a moment,
pages of 100, with the consumer key and secret. WooCommerce never re-sends a failed webhook, so this is how what
the webhooks missed is found."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx

from bot.stores.shopify_api import ATTEMPTS, TIMEOUT, StoreError

log = logging.getLogger("roi.stores")

PAGE = 100  # WordPress's most per page


@dataclass(frozen=True)
class Page:
    """One page of orders, and the number of the next page (None on the last)."""

    orders: list[dict]
    next_page: int | None


class WooCommerceApi:
    """A client of one store's REST API."""

    def __init__(self, url: str, *, key: str, secret: str, http: httpx.Client | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.base = url.rstrip("/") + "/wp-json/wc/v3"
        self._auth = (key, secret)
        self._http = http or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        self._sleep = sleep

    def _get(self, path: str, params: dict) -> httpx.Response:
        for attempt in range(ATTEMPTS):
            try:
                response = self._http.get(self.base + path, params=params, auth=self._auth)
            except httpx.TransportError as error:
                log.warning("WooCommerce request failed (%s); trying again", type(error).__name__)
                self._sleep(min(2 ** attempt, 30))
                continue
            if response.status_code in (429, 502, 503, 504):
                self._sleep(min(2 ** attempt, 30))
                continue
            if response.status_code in (401, 403):
                raise StoreError(f"WooCommerce refused the REST API keys (HTTP {response.status_code}): check "
                                 "WOOCOMMERCE_KEY and WOOCOMMERCE_SECRET")
            if response.status_code != 200:
                raise StoreError(f"WooCommerce answered HTTP {response.status_code} to GET {path}")
            return response
        raise StoreError(f"WooCommerce did not answer after {ATTEMPTS} tries")

    def order_pages(self, modified_after: datetime | None, *, page: int = 1) -> Iterator[Page]:
        """Every order modified after `modified_after` (all when None), by id, a page at a time from `page` (a
        sync killed half-way resumes at the page it had not finished)."""
        params: dict = {"per_page": PAGE, "orderby": "id", "order": "asc", "dates_are_gmt": "true"}
        if modified_after is not None:
            moment = modified_after if modified_after.tzinfo else modified_after.replace(tzinfo=timezone.utc)
            params["modified_after"] = moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        while True:
            response = self._get("/orders", {**params, "page": page})
            orders = response.json()
            if not isinstance(orders, list):
                raise StoreError("WooCommerce answered GET /orders with something that is not a list of orders")
            try:
                pages = int(response.headers.get("X-WP-TotalPages", "0"))
            except ValueError:
                pages = 0
            more = page < pages if pages else len(orders) == PAGE
            yield Page([o for o in orders if isinstance(o, dict)], page + 1 if more else None)
            if not more:
                return
            page += 1

    def close(self) -> None:
        self._http.close()
