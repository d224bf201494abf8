"""Per-order revenue and whether an order counts (SPEC §3/§4)."""

from decimal import Decimal as D

import pytest

from metrics.orders import code_keys, counted, revenue, split_code_keys


@pytest.mark.parametrize("subtotal, refunded, cancelled, expected_revenue, expected_counted", [
    (D("100.00"), D("0"), False, D("100.00"), True),
    (D("100.00"), D("30.00"), False, D("70.00"), True),        # partial refund
    (D("100.00"), D("100.00"), False, D("0.00"), False),       # fully refunded: no order
    (D("100.00"), D("120.00"), False, D("0.00"), False),       # refund above subtotal (shipping refunded too)
    (D("100.00"), D("0"), True, D("0.00"), False),             # cancelled
    (D("0.00"), D("0"), False, D("0.00"), True),               # made free by a 100% code: still an order
])
def test_revenue_and_counting(subtotal, refunded, cancelled, expected_revenue, expected_counted):
    assert revenue(subtotal, refunded, cancelled) == expected_revenue
    assert counted(subtotal, refunded, cancelled) is expected_counted


def test_codes_are_stored_as_comma_wrapped_lower_case_keys():
    assert code_keys(("ANA10", " Ben15 ")) == ",ana10,ben15,"
    assert code_keys(()) is None
    assert split_code_keys(",ana10,ben15,") == ("ana10", "ben15")
    assert split_code_keys(None) == ()
