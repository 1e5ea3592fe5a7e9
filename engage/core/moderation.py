"""The moderation state every kind of user content shares (threads, comments, proposals …)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from engage.core.types import UTCDateTime


class ContentStatus(enum.StrEnum):
    VISIBLE = "visible"
    PENDING = "pending"  # waits for approval (pre-moderation)
    HIDDEN = "hidden"  # hidden by moderators or by enough flags


class ModeratedMixin:
    """Columns and helpers for content that moderators can hold back or hide."""

    # Not "status": proposals have a lifecycle status of their own, separate from moderation.
    @declared_attr
    def moderation_status(cls) -> Mapped[str]:  # noqa: N805 (SQLAlchemy's declared_attr)
        return mapped_column(String(10), default=ContentStatus.VISIBLE.value, index=True)

    @declared_attr
    def hidden_at(cls) -> Mapped[datetime | None]:  # noqa: N805
        return mapped_column(UTCDateTime())

    @declared_attr
    def hidden_reason(cls) -> Mapped[str | None]:  # noqa: N805
        return mapped_column(String(500))

    @property
    def is_visible(self) -> bool:
        return self.moderation_status == ContentStatus.VISIBLE  # (a StrEnum: its value)

    @property
    def is_hidden(self) -> bool:
        return self.moderation_status == ContentStatus.HIDDEN
