"""Information and dialogue boards: announcements by staff (threads follow)."""


def register_privacy() -> None:
    """Announcements written by a staff member are part of their personal-data export."""
    from engage.boards import services
    from engage.core import privacy

    privacy.register_exporter("announcements", services.export_announcements)
