"""Co-design: outcome-framed proposals, supports and a visible lifecycle."""


def register_privacy() -> None:
    from engage.core import privacy
    from engage.proposals import services

    privacy.register_exporter("proposals", services.export_for)
