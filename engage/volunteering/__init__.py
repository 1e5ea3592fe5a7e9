"""Co-production: service offers that citizens help deliver, shifts and sign-ups."""


def register_privacy() -> None:
    from engage.core import privacy
    from engage.volunteering import services

    privacy.register_exporter("volunteering", services.export_for)
    privacy.register_anonymiser(services.forget_user)
