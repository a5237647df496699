"""Calendar feeds as calendar apps read them: parsed back with icalendar, every time in UTC,
a UID per shift that survives a change of holder, and right across daylight saving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.domain.model import Membership, Person, Rota, ShiftOrigin
from bot.domain.rotation import Queue, project
from bot.services.calendars import MINE, ROTA, DutySlot, duty_event
from bot.services.ical import PRODUCT_ID, DutyEvent, calendar_document, shift_uid

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)  # a Wednesday, before the clocks go back
ANN = Person(id=1, workspace_id=1, external_id="U0ANN", display_name="Ann Jones")
BEN = Person(id=2, workspace_id=1, external_id="U0BEN", display_name="Ben Okafor")
LONDON_ROTA = Rota(id=7, workspace_id=1, name="social media", timezone="Europe/London")


def parse(document: bytes) -> Calendar:
    return Calendar.from_ical(document)


def raw_lines(document: bytes) -> list[str]:
    return document.decode("utf-8").replace("\r\n ", "").split("\r\n")


def one_event(start: datetime, end: datetime, summary: str = "On duty: social media") -> DutyEvent:
    return DutyEvent(
        uid=shift_uid(7, start, MINE),
        start=start,
        end=end,
        summary=summary,
        description="Outreach channels: Twitter, Blog.",
    )


def test_document_has_what_google_and_outlook_need_when_built() -> None:
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    document = calendar_document(
        "Baton: my shifts", "Ann's shifts", [one_event(start, start + timedelta(days=7))], NOW
    )
    calendar = parse(document)

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == PRODUCT_ID
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["X-WR-CALNAME"] == "Baton: my shifts"
    assert not list(calendar.walk("VTIMEZONE"))  # times are UTC, so none is needed
    (event,) = calendar.walk("VEVENT")
    assert event["UID"] == "shift-7-20261130T090000Z-mine@baton"
    assert event["SUMMARY"] == "On duty: social media"
    assert event["DESCRIPTION"] == "Outreach channels: Twitter, Blog."
    assert event.decoded("DTSTAMP") == NOW
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") == start + timedelta(days=7)
    lines = raw_lines(document)
    assert "DTSTART:20261130T090000Z" in lines
    assert "DTEND:20261207T090000Z" in lines
    assert "DTSTAMP:20261014T120000Z" in lines
    assert document.startswith(b"BEGIN:VCALENDAR\r\n")
    assert document.endswith(b"END:VCALENDAR\r\n")


def test_text_survives_commas_semicolons_and_new_lines_when_parsed_back() -> None:
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    event = DutyEvent(
        uid="x@baton",
        start=start,
        end=start + timedelta(days=1),
        summary="Zoë; O'Brien, on duty: events & talks",
        description="Line one, with a comma\nLine two; with a semicolon",
    )
    (parsed,) = parse(calendar_document("A, B", "C", [event], NOW)).walk("VEVENT")
    assert str(parsed["SUMMARY"]) == "Zoë; O'Brien, on duty: events & talks"
    assert str(parsed["DESCRIPTION"]) == "Line one, with a comma\nLine two; with a semicolon"


def test_times_are_utc_when_a_shift_was_given_in_another_zone() -> None:
    start = datetime(2026, 7, 6, 9, 0, tzinfo=LONDON)  # 09:00 BST is 08:00 UTC
    document = calendar_document("x", "y", [one_event(start, start + timedelta(days=7))], NOW)
    assert "DTSTART:20260706T080000Z" in raw_lines(document)


def test_shifts_keep_their_local_handoff_time_when_the_clocks_go_back_in_london() -> None:
    members = [
        Membership(7, ANN.id, NOW - timedelta(days=60)),
        Membership(7, BEN.id, NOW - timedelta(days=59)),
    ]
    queue = Queue.build(members, {}, {})
    plan = project(LONDON_ROTA, queue, NOW, 3)  # Mon 19 Oct, 26 Oct (clocks back 25th), 2 Nov
    people = {ANN.id: ANN, BEN.id: BEN}
    events = [
        duty_event(
            DutySlot(LONDON_ROTA, p.start, p.end, p.person_id, True),
            ROTA,
            people[p.person_id] if p.person_id is not None else None,
            "Twitter, Blog",
            now=NOW,
        )
        for p in plan
    ]
    document = calendar_document("Baton: the social media rota", "rota", events, NOW)
    parsed = parse(document).walk("VEVENT")

    spans = [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in parsed]
    assert spans == [
        (datetime(2026, 10, 19, 8, 0, tzinfo=UTC), datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),
        (datetime(2026, 10, 26, 9, 0, tzinfo=UTC), datetime(2026, 11, 2, 9, 0, tzinfo=UTC)),
        (datetime(2026, 11, 2, 9, 0, tzinfo=UTC), datetime(2026, 11, 9, 9, 0, tzinfo=UTC)),
    ]
    for start, end in spans:  # Monday 09:00 in London, summer time or not
        assert start.astimezone(LONDON).strftime("%a %H:%M") == "Mon 09:00"
        assert end.astimezone(LONDON).strftime("%a %H:%M") == "Mon 09:00"
    lines = raw_lines(document)
    assert "DTSTART:20261019T080000Z" in lines
    assert "DTEND:20261026T090000Z" in lines
    assert [str(e["SUMMARY"]) for e in parsed] == [
        "Ann Jones on duty: social media",
        "Ben Okafor on duty: social media",
        "Ann Jones on duty: social media",
    ]


def test_uid_stays_when_the_shift_changes_hands_and_differs_per_feed() -> None:
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    end = start + timedelta(days=7)
    planned = duty_event(DutySlot(LONDON_ROTA, start, end, ANN.id, True), ROTA, ANN, "", now=NOW)
    swapped = duty_event(
        DutySlot(LONDON_ROTA, start, end, BEN.id, False, ShiftOrigin.SWAP),
        ROTA,
        BEN,
        "",
        now=NOW,
    )
    mine = duty_event(DutySlot(LONDON_ROTA, start, end, ANN.id, True), MINE, ANN, "", now=NOW)
    later = duty_event(
        DutySlot(LONDON_ROTA, end, end + timedelta(days=7), ANN.id, True), ROTA, ANN, "", now=NOW
    )

    assert planned.uid == swapped.uid
    assert planned.summary != swapped.summary
    assert mine.uid != planned.uid
    assert later.uid != planned.uid


def test_event_says_which_channels_and_how_to_swap_when_the_shift_is_ahead() -> None:
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    slot = DutySlot(LONDON_ROTA, start, start + timedelta(days=7), ANN.id, True)
    mine = duty_event(slot, MINE, ANN, "Twitter, Instagram, Blog", now=NOW)
    unassigned = duty_event(
        DutySlot(LONDON_ROTA, start, start + timedelta(days=7), None, True),
        ROTA,
        None,
        "Twitter",
        now=NOW,
    )

    assert mine.summary == "On duty: social media"
    assert "Outreach channels: Twitter, Instagram, Blog." in mine.description
    assert "swap @person: swap your next shift for theirs" in mine.description
    assert "skip: pass your shift on" in mine.description
    assert "Planned: it can still move" in mine.description
    assert unassigned.summary == "Nobody on duty: social media"
    assert "reminders go to the coordinators" in unassigned.description


def test_past_shift_tells_its_story_without_advice_when_it_is_over() -> None:
    start = NOW - timedelta(days=14)
    handed = DutySlot(
        LONDON_ROTA, start, start + timedelta(days=2), ANN.id, False, handed_over=True
    )
    taken = DutySlot(
        LONDON_ROTA,
        start + timedelta(days=2),
        start + timedelta(days=7),
        BEN.id,
        False,
        ShiftOrigin.SKIP,
    )

    passed = duty_event(handed, ROTA, ANN, "Twitter", now=NOW)
    took = duty_event(taken, ROTA, BEN, "Twitter", now=NOW)

    assert "Passed on part-way through." in passed.description
    assert "after a skip" in took.description
    assert "swap @person" not in passed.description + took.description
