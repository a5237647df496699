"""The quiet rule of §6: a channel is quiet when its last post is older than its threshold."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.model import OutreachChannel


def silent_since(channel: OutreachChannel, last_post_at: datetime | None) -> datetime:
    """Since when the channel has had no post (its creation, if it never had one)."""
    return last_post_at if last_post_at is not None else channel.created_at


def quiet_for(channel: OutreachChannel, last_post_at: datetime | None, now: datetime) -> timedelta:
    """How long the channel has been without a post."""
    return max(now - silent_since(channel, last_post_at), timedelta())


def is_quiet(channel: OutreachChannel, last_post_at: datetime | None, now: datetime) -> bool:
    """Whether the channel's last post is older than its quiet threshold."""
    return quiet_for(channel, last_post_at, now) > channel.quiet_after


def whole_days(span: timedelta) -> int:
    """A span in whole days, rounded down (what "days quiet" shows)."""
    return span.days
