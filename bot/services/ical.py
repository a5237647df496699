"""iCalendar (RFC 5545) documents of duty shifts, as Google Calendar and Outlook subscribe
to them: every time in UTC, one event per shift under a UID that stays the same while the
shift does, so a changed shift updates the event instead of adding another."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

PRODUCT_ID = "-//Baton//Shared posting duty//EN"
REFRESH = timedelta(hours=1)
"""How often calendar apps are asked to fetch the feed again (most take longer anyway)."""


@dataclass(frozen=True, slots=True)
class DutyEvent:
    """One shift as a calendar shows it."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str


def shift_uid(rota_id: int, start: datetime, feed: str) -> str:
    """The UID of the shift that starts at `start` on a rota, in one kind of feed.

    A shift is known by its rota and start, so the event keeps its UID when its holder
    changes (a swap, a skip) and when a planned shift becomes a recorded one. Each feed has
    its own, so someone who subscribes to both sees two events, not one that flickers.
    """
    return f"shift-{rota_id}-{start.astimezone(UTC):%Y%m%dT%H%M%SZ}-{feed}@baton"


def calendar_document(
    name: str, description: str, events: Sequence[DutyEvent], now: datetime
) -> bytes:
    """An iCalendar document: VERSION 2.0, PRODID, CALSCALE GREGORIAN, the calendar's name,
    and each event in UTC (DTSTART and DTEND end in Z), stamped `now`."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-caldesc", description)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = now.astimezone(UTC).replace(microsecond=0)
    for duty in events:
        event = Event()
        event.add("uid", duty.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", duty.start.astimezone(UTC))
        event.add("dtend", duty.end.astimezone(UTC))
        event.add("summary", duty.summary)
        event.add("description", duty.description)
        event.add("transp", "TRANSPARENT")  # a week on duty is not a week of meetings
        calendar.add_component(event)
    return bytes(calendar.to_ical())
