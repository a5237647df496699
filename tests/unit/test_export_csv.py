"""The export's CSV files, as a spreadsheet would read them."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta

from bot.domain.export import (
    POST_COLUMNS,
    REMINDER_COLUMNS,
    SHIFT_COLUMNS,
    ExportRecords,
    RecordedPost,
    export_files,
    export_zip,
    posts_csv,
    reminders_csv,
    safe_cell,
    shifts_csv,
)
from bot.domain.model import (
    ChannelKind,
    OutreachChannel,
    Person,
    Post,
    PostSource,
    Reminder,
    Rota,
    Shift,
    ShiftOrigin,
    Workspace,
)

WORKSPACE = Workspace(1, "slack", "T0LIB", "Riverside Library")
ZOE = Person(1, 1, "U0ZOE", "Zoë Ångström")
SAM = Person(2, 1, "U0SAM", "Sam", deleted=True)
TRICKY = Person(3, 1, "U0EVIL", '=HYPERLINK("http://evil.example","hi")')
SUMMER = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 in London
WINTER = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 09:00 in London
TWITTER = OutreachChannel(1, 1, "Twitter", ChannelKind.TWITTER, timedelta(days=2), SUMMER)
BLOG = OutreachChannel(2, 1, "Blog", ChannelKind.BLOG, timedelta(days=14), SUMMER)
ROTA = Rota(1, 1, "social media", timezone="Europe/London")


def _post(post_id: int, note: str | None, **fields: object) -> RecordedPost:
    values: dict[str, object] = {
        "id": post_id,
        "workspace_id": 1,
        "channel_id": TWITTER.id,
        "author_id": ZOE.id,
        "posted_at": SUMMER,
        "source": PostSource.MANUAL,
        "recorded_by_id": ZOE.id,
        "url": f"https://x.com/riverside/status/{post_id}",
        "note": note,
    }
    values.update(fields)
    return RecordedPost(Post(**values), recorded_at=SUMMER + timedelta(minutes=5))


def _records(
    posts: tuple[RecordedPost, ...] = (),
    shifts: tuple[Shift, ...] = (),
    reminders: tuple[Reminder, ...] = (),
) -> ExportRecords:
    return ExportRecords(
        workspace=WORKSPACE,
        people=(ZOE, SAM, TRICKY),
        channels=(TWITTER, BLOG),
        rotas=(ROTA,),
        posts=posts,
        shifts=shifts,
        reminders=reminders,
    )


def _read(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_posts_have_one_readable_row_each_when_exported() -> None:
    records = _records(
        posts=(
            _post(2, "Storytime", posted_at=WINTER, channel_id=BLOG.id, source=PostSource.FEED),
            _post(1, None, author_id=SAM.id, recorded_by_id=None, url=None),
        )
    )

    content = posts_csv(records)
    rows = _read(content)

    assert content.decode("utf-8-sig").splitlines()[0].split(",") == list(POST_COLUMNS)
    assert [row["Post ID"] for row in rows] == ["1", "2"]  # in the order they were posted
    assert rows[0] == {
        "Post ID": "1",
        "Posted (UTC)": "2026-07-01T09:00:00Z",
        "Posted (local)": "2026-07-01 10:00",
        "Timezone": "Europe/London",
        "Outreach channel": "Twitter",
        "Channel kind": "twitter",
        "Author": "Sam",
        "Author's chat ID": "U0SAM",
        "Source": "manual",
        "URL": "",
        "Note": "",
        "Recorded by": "",
        "Recorded by (chat ID)": "",
        "Recorded (UTC)": "2026-07-01T09:05:00Z",
    }
    assert rows[1]["Posted (local)"] == "2026-11-30 09:00"
    assert rows[1]["Outreach channel"] == "Blog"
    assert rows[1]["Source"] == "feed"
    assert rows[1]["Author"] == "Zoë Ångström"
    assert rows[1]["Recorded by (chat ID)"] == "U0ZOE"


def test_notes_come_back_whole_when_they_hold_commas_quotes_newlines_and_accents() -> None:
    note = 'Storytime, "Gruffalo" edition\nsecond line — naïve café 📚'
    rows = _read(posts_csv(_records(posts=(_post(1, note),))))

    assert rows[0]["Note"] == note
    assert rows[0]["URL"] == "https://x.com/riverside/status/1"


def test_file_starts_with_a_byte_order_mark_when_exported() -> None:
    for content in export_files(_records(posts=(_post(1, "Zoë"),))):
        assert content.content.startswith(b"\xef\xbb\xbf")
        assert content.content.endswith(b"\r\n")
    assert "Zoë Ångström".encode() in posts_csv(_records(posts=(_post(1, None),)))


def test_would_be_formulas_get_a_quote_when_they_start_with_a_formula_sign() -> None:
    notes = ["=1+1", "+44 20 7946 0000", "-2", "@SUM(A1:A2)", "\tcmd", "\rcmd"]
    posts = tuple(
        _post(i, note, author_id=TRICKY.id, posted_at=SUMMER + timedelta(hours=i))
        for i, note in enumerate(notes, start=1)
    )

    rows = _read(posts_csv(_records(posts=posts)))

    assert [row["Note"] for row in rows] == ["'" + note for note in notes]
    assert rows[0]["Author"] == "'" + TRICKY.display_name
    assert rows[0]["Posted (UTC)"] == "2026-07-01T10:00:00Z"  # times and links untouched
    assert rows[0]["URL"].startswith("https://")
    assert safe_cell("a=b") == "a=b"
    assert safe_cell("") == ""


def test_shifts_show_rota_times_holder_and_origin_when_exported() -> None:
    shifts = (
        Shift(1, SUMMER, SUMMER + timedelta(days=7), ZOE.id, ShiftOrigin.ROTATION, id=10),
        Shift(1, WINTER, WINTER + timedelta(days=3), SAM.id, ShiftOrigin.SKIP, True, id=12),
        Shift(
            1, WINTER + timedelta(days=3), WINTER + timedelta(days=7), None, ShiftOrigin.SKIP, id=13
        ),
    )

    content = shifts_csv(_records(shifts=shifts))
    rows = _read(content)

    assert content.decode("utf-8-sig").splitlines()[0].split(",") == list(SHIFT_COLUMNS)
    assert rows[0] == {
        "Shift ID": "10",
        "Rota": "social media",
        "Starts (UTC)": "2026-07-01T09:00:00Z",
        "Ends (UTC)": "2026-07-08T09:00:00Z",
        "Starts (local)": "2026-07-01 10:00",
        "Ends (local)": "2026-07-08 10:00",
        "Timezone": "Europe/London",
        "On duty": "Zoë Ångström",
        "On duty (chat ID)": "U0ZOE",
        "Origin": "rotation",
        "Handed over early": "no",
    }
    assert (rows[1]["On duty"], rows[1]["Origin"], rows[1]["Handed over early"]) == (
        "Sam",
        "skip",
        "yes",
    )
    assert (rows[2]["On duty"], rows[2]["On duty (chat ID)"]) == ("", "")


def test_reminders_say_who_got_them_and_where_they_stand_when_exported() -> None:
    base = {"workspace_id": 1, "channel_id": TWITTER.id, "spell_start": SUMMER}
    reminders = (
        Reminder(
            1,
            day=date(2026, 7, 3),
            person_id=ZOE.id,
            created_at=SUMMER + timedelta(days=2),
            sent_at=SUMMER + timedelta(days=2, minutes=1),
            answered_at=SUMMER + timedelta(days=2, hours=3),
            attempts=1,
            **base,
        ),
        Reminder(
            2,
            day=date(2026, 7, 6),
            person_id=None,
            created_at=SUMMER + timedelta(days=5),
            sent_at=SUMMER + timedelta(days=5, minutes=1),
            attempts=1,
            **base,
        ),
        Reminder(
            3,
            day=date(2026, 7, 7),
            person_id=ZOE.id,
            created_at=SUMMER + timedelta(days=6),
            attempts=2,
            last_error="chat.postMessage: account_inactive",
            **base,
        ),
    )

    content = reminders_csv(_records(reminders=reminders))
    rows = _read(content)

    assert content.decode("utf-8-sig").splitlines()[0].split(",") == list(REMINDER_COLUMNS)
    assert rows[0] == {
        "Reminder ID": "1",
        "Outreach channel": "Twitter",
        "Day": "2026-07-03",
        "Quiet since (UTC)": "2026-07-01T09:00:00Z",
        "Sent to": "Zoë Ångström",
        "Sent to (chat ID)": "U0ZOE",
        "Claimed (UTC)": "2026-07-03T09:00:00Z",
        "Sent (UTC)": "2026-07-03T09:01:00Z",
        "Sent (local)": "2026-07-03 10:01",
        "Answered (UTC)": "2026-07-03T12:00:00Z",
        "Status": "answered",
        "Tries": "1",
        "Last error": "",
    }
    assert (rows[1]["Sent to"], rows[1]["Status"]) == ("coordinators", "sent, not answered")
    assert (rows[2]["Status"], rows[2]["Sent (UTC)"], rows[2]["Last error"]) == (
        "not sent: failed",
        "",
        "chat.postMessage: account_inactive",
    )


def test_empty_workspace_gives_headers_only_when_exported() -> None:
    files = export_files(_records())

    assert [f.filename for f in files] == ["posts.csv", "shifts.csv", "reminders.csv"]
    for file in files:
        assert len(file.content.decode("utf-8-sig").splitlines()) == 1


def test_zip_holds_the_three_files_when_built() -> None:
    files = export_files(_records(posts=(_post(1, "Zoë"),)))

    archive = zipfile.ZipFile(io.BytesIO(export_zip(files, WINTER)))

    assert archive.namelist() == ["posts.csv", "shifts.csv", "reminders.csv"]
    for file in files:
        assert archive.read(file.filename) == file.content
        assert archive.getinfo(file.filename).date_time[:3] == (2026, 11, 30)
