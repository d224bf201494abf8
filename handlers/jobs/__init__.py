"""The posting side of the scheduled jobs: what bot.jobs decides is due, built into messages and sent to Slack."""
