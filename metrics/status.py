"""The statuses a campaign and an enrolment can be in, as stored and as reports show them (SPEC §2, §4).

A campaign is `active` until `/campaign end` makes it `ended`; an enrolment is `active` until it is `cut`. A report
row shows `ended` too, for an enrolment whose campaign has ended. StrEnum members are the plain strings the database
holds, so they compare and store as such.
"""

from enum import StrEnum


class Status(StrEnum):
    """`active`, `ended` (campaigns, and report rows of ended campaigns) or `cut` (enrolments)."""

    ACTIVE = "active"
    ENDED = "ended"
    CUT = "cut"
