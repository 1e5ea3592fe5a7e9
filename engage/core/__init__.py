"""Shared building blocks: column types, sanitising, policy, mail outbox, privacy registry."""
