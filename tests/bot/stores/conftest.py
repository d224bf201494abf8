"""Fixtures of the store tests: the serve WSGI app and connected stores (helpers in tests/store_support.py)."""

from __future__ import annotations

import pytest

from bot.wiring.web import wsgi_app
from store_support import SHOP, SHOP_SECRET, WOO, WOO_SECRET, Stores, connect


@pytest.fixture
def web(app):
    """The WSGI callable of `roi-bot serve`, its worker not started (tests process with `stores.process()`)."""
    return wsgi_app(app)


@pytest.fixture
def stores(web, sessions) -> Stores:
    """Workspace T1 with the Shopify store SHOP and the WooCommerce store WOO connected."""
    connect(sessions, "T1", "shopify", SHOP, SHOP_SECRET)
    connect(sessions, "T1", "woocommerce", WOO, WOO_SECRET)
    return Stores(web)
