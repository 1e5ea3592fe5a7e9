"""Moderation: reports, the queue, decisions, appeals, pre-moderation and the audit log."""


def register_privacy() -> None:
    """A user's own reports and appeals belong to their data export; deletion blanks the texts."""
    from engage.core import privacy
    from engage.moderation import services

    privacy.register_exporter("moderation", services.export_for)
    privacy.register_anonymiser(services.forget_user)
