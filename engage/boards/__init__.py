"""Information and dialogue boards: announcements by staff, threads and replies."""


def register_privacy() -> None:
    """Announcements written by a staff member are part of their personal-data export."""
    from engage.boards import dialogue_services, services
    from engage.core import privacy

    privacy.register_exporter("announcements", services.export_announcements)
    privacy.register_exporter("dialogue", dialogue_services.export_dialogue)
