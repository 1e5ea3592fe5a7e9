"""Moderation by staff; for now the audit log, which the moderation issue extends."""
