"""Registration rules shared by slash commands and bulk imports: campaigns, influencers, enrolments, codes.

Functions take a session and already-validated values, enforce the rules of SPEC §2 and raise a BotError
naming what is wrong; they never commit (the caller owns the transaction). One that changes what orders are
credited to re-attributes them before it returns, or notes them in the `attribution.Changes` a caller passes
to apply once after many changes.
"""
