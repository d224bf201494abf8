"""Registration rules shared by slash commands and bulk imports: campaigns, influencers, enrolments, codes.

Functions take a session and already-validated values, enforce the rules of SPEC §2 and raise a BotError
naming what is wrong; they never commit (the caller owns the transaction).
"""
