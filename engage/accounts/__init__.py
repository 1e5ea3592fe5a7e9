"""Accounts: registration, verification, log-in, password reset, profile and privacy."""


def register_privacy() -> None:
    """Tell the privacy registry about the account's own data."""
    from engage.accounts import services
    from engage.core import privacy

    privacy.register_exporter("account", services.export_account)
    privacy.register_exporter("sessions", services.export_sessions)
    privacy.register_anonymiser(services.forget_queued_mail)
