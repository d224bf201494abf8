"""Telling a file's shape from its header, and refusing headers we cannot use, naming what is missing."""

from __future__ import annotations

import pytest

from bot.errors import InputError
from bot.imports.detect import KINDS, SHAPES, detect, index, require

SHOPIFY = ["Name", "Email", "Financial Status", "Currency", "Subtotal", "Discount Code", "Created at",
           "Lineitem name", "Note Attributes", "Cancelled at", "Refunded Amount", "Payment References"]
WOO = ["Date", "Order #", "N. Revenue (formatted)", "Status", "Customer", "Product(s)", "Items sold", "Coupon(s)",
       "Net sales", "Attribution"]


def refusal(header: list[str], kind: str | None = None) -> str:
    with pytest.raises(InputError) as caught:
        detect(header) if kind is None else require(header, kind)
    assert caught.value.field == "file"
    return caught.value.message


@pytest.mark.parametrize("header, kind", [
    (SHOPIFY, "shopify"),
    (SHOPIFY[:-1], "shopify"),  # the 78-column export has no Payment References
    (["name", " CREATED AT ", "subtotal"], "shopify"),
    (WOO, "woocommerce"),
    (["date", "order #", "net sales"], "woocommerce"),
    (["order_id", "date", "amount"], "csv"),
    (["Order_ID", "Date", "Amount", "code", "currency", "refunded", "utm_campaign", "utm_content", ""], "csv"),
    (["handle"], "roster"),
    (["handle", "platform", "followers", "manager", "campaign", "fee", "commission", "product_cost", "goal_revenue",
      "start", "code", "url"], "roster"),
    (["handle", "campaign", "date"], "stats"),
    (["Handle", "Campaign", "Date", "post", "impressions", "reach", "likes", "comments", "shares", "saves", "clicks",
      "views"], "stats"),
])
def test_the_kind_comes_from_the_header(header, kind):
    assert detect(header) == kind
    require(header, kind)


def test_every_kind_has_a_shape():
    assert set(KINDS) == set(SHAPES)


def test_store_exports_may_carry_columns_we_do_not_use():
    assert detect(SHOPIFY + ["Some New Column"]) == "shopify" and detect(WOO + ["Whatever"]) == "woocommerce"


@pytest.mark.parametrize("header, says", [
    (["handle", "platfrom"], "has the column `platfrom`, which a roster CSV does not have; did you mean `platform`?"),
    (["order_id", "date", "amount", "cod"],
     "has the column `cod`, which an orders CSV does not have; did you mean `code`?"),
    (["handle", "campaign", "date", "likez"], "did you mean `likes`?"),
    (["handle", "campaign", "date", "mood"],
     "has the column `mood`, which a stats CSV does not have — use the columns"),
])
def test_our_own_shapes_refuse_unknown_columns_with_a_suggestion(header, says):
    assert says in refusal(header)


@pytest.mark.parametrize("header, says", [
    (["x", "y"], "has none of the columns we know in its header"),
    ([], "has none of the columns we know"),
    (["Name", "Created at", "Currency"], "is closest to a Shopify orders export, which also needs `Subtotal`"),
    (["Order #", "Net sales", "Status"], "is closest to a WooCommerce orders export, which also needs `Date`"),
    (["order_id", "date", "amont"], "which also needs `amount` (is `amont` meant to be `amount`?)"),
    (["hadle", "platform"], "is closest to a roster CSV, which also needs `handle` (is `hadle` meant to be `handle`?)"),
    (["handle", "date", "likes"], "is closest to a stats CSV, which also needs `campaign`"),  # a date: not a roster
    (["handle", "order_id"], "is closest to an orders CSV, which also needs `date`, `amount`"),
])
def test_an_unknown_shape_names_the_closest_and_what_it_lacks(header, says):
    message = refusal(header)
    assert says in message
    assert "a Shopify *Orders → Export* CSV" in message.split(" — use ")[1]


@pytest.mark.parametrize("header, kind, says", [
    (WOO, "shopify", "is missing the columns `Name`, `Created at`, `Subtotal` that a Shopify orders export needs"),
    (["order_id", "date"], "csv", "is missing the column `amount` that an orders CSV needs"),
    (SHOPIFY, "woocommerce", "`Date`, `Order #`, `Net sales`"),
])
def test_an_explicit_format_names_the_missing_columns(header, kind, says):
    assert says in refusal(header, kind)


def test_a_used_column_twice_is_ambiguous():
    assert "has the column `Subtotal` more than once" in refusal(SHOPIFY + ["subtotal"])
    require(SHOPIFY + ["Lineitem name"], "shopify")  # columns we do not use may repeat


def test_index_is_case_insensitive_and_keeps_the_first_position():
    assert index([" Name ", "SUBTOTAL", "name"]) == {"name": 0, "subtotal": 1}
