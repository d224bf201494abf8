"""Scheduled jobs (SPEC §5, §6): campaign digests, the underperformer scan, and the scheduler that runs them.

Every job claims its period (or its alert) in the database before it posts, so several processes and restarts
never post twice; the scheduler itself only decides *when* to look.
"""
