"""Scheduled digests: each recipient's agreed report form (their regions' plan vs fact, both departments' SLA,
flights finished, data freshness, open alerts) built with their access and sent by e-mail and Telegram."""
