"""Follower tiers at their edges (SPEC §4)."""

import pytest

from metrics.tiers import tier


@pytest.mark.parametrize(
    ("followers", "expected"),
    [(None, "unknown"), (0, "nano"), (9_999, "nano"), (10_000, "micro"), (99_999, "micro"), (100_000, "macro"),
     (999_999, "macro"), (1_000_000, "mega"), (250_000_000, "mega")],
)
def test_tier_boundaries(followers, expected):
    assert tier(followers) == expected
