"""Follower tiers (SPEC §4): nano < 10,000 ≤ micro < 100,000 ≤ macro < 1,000,000 ≤ mega."""

TIERS = ("nano", "micro", "macro", "mega", "unknown")
_BOUNDS = ((10_000, "nano"), (100_000, "micro"), (1_000_000, "macro"))


def tier(followers: int | None) -> str:
    """The tier of an audience size; `unknown` when the size is not known."""
    if followers is None:
        return "unknown"
    for bound, name in _BOUNDS:
        if followers < bound:
            return name
    return "mega"
