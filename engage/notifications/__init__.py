"""Follows and notifications: in-app, and by e-mail as each user prefers."""


def register_privacy() -> None:
    from engage.core import privacy
    from engage.notifications import services

    privacy.register_exporter("follows_and_notifications", services.export_for)
    privacy.register_anonymiser(services.forget_user)
