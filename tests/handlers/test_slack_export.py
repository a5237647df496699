"""`/duty export` in Slack: the CSV files arrive in the asker's direct messages with Baton,
uploaded the way Slack wants (files.getUploadURLExternal, the upload, then
files.completeUploadExternal), and hold what was recorded. The clock starts on Monday
30 November 2026, 10:00 in London."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from tests.fakes import Upload, dm_channel
from tests.handlers.conftest import START, SlackWorld
from tests.handlers.staff import rota_of_three

DAY = timedelta(days=1)
NOTE = 'Storytime, "The Gruffalo" — naïve café\n=HYPERLINK("http://evil.example")'


def rows(upload: Upload) -> list[dict[str, str]]:
    assert upload.content is not None
    assert upload.content.startswith(b"\xef\xbb\xbf")
    text = upload.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


async def a_fortnight(slack: SlackWorld) -> None:
    """Ben on duty; a post on the blog at once, a quiet Twitter reminded on Wednesday, then a
    post on Twitter by Cat."""
    await rota_of_three(slack)
    await slack.duty("U0ADA", "channel add Blog kind=blog")
    reply = await slack.duty(
        "U0BEN", f"posted blog https://library.example.org/blog/storytime {NOTE}"
    )
    assert "Recorded your post on *Blog*" in reply
    slack.clock.set(START + 2 * DAY + timedelta(hours=1))  # Wed 2 Dec 11:00
    assert await slack.run_job("quiet-check") == 1
    slack.clock.advance(timedelta(hours=2))
    reply = await slack.duty("U0CAT", "posted twitter https://x.com/library/status/42 Zoë's pick")
    assert "Recorded your post on *Twitter*" in reply


async def test_coordinator_gets_three_csv_files_in_their_direct_messages_when_they_export(
    slack: SlackWorld,
) -> None:
    await a_fortnight(slack)

    reply = await slack.duty("U0ADA", "export")

    assert (
        "I've sent you the export in your direct messages with Baton: `posts.csv`, "
        "`shifts.csv` and `reminders.csv`, with 2 posts, 2 shifts and 1 reminder." in reply
    )
    posts, shifts, reminders = slack.fake.files_in(dm_channel("U0ADA"))
    assert [posts.filename, shifts.filename, reminders.filename] == [
        "posts.csv",
        "shifts.csv",
        "reminders.csv",
    ]
    assert posts.title == "Baton export: posts"
    assert posts.comment is not None and "2 posts, 2 shifts and 1 reminder" in posts.comment
    methods = [call.method for call in slack.fake.calls]
    assert methods.count("files.getUploadURLExternal") == 3
    assert methods.count("files.completeUploadExternal") == 1

    blog, twitter = rows(posts)
    assert blog["Outreach channel"] == "Blog"
    assert blog["Author"] == "ben" and blog["Author's chat ID"] == "U0BEN"
    assert blog["Recorded by"] == "ben"
    assert blog["URL"] == "https://library.example.org/blog/storytime"
    assert blog["Note"] == NOTE
    assert blog["Source"] == "manual"
    assert blog["Posted (UTC)"] == "2026-11-30T10:00:00Z"
    assert blog["Posted (local)"] == "2026-11-30 10:00"
    assert (twitter["Author"], twitter["Note"]) == ("cat", "Zoë's pick")
    assert twitter["Posted (UTC)"] == "2026-12-02T13:00:00Z"

    # Nobody was on duty from the 09:00 handoff until Ben joined at 10:00.
    empty, shift = rows(shifts)
    assert (empty["On duty"], empty["Handed over early"]) == ("", "yes")
    assert (empty["Starts (local)"], empty["Ends (local)"]) == (
        "2026-11-30 09:00",
        "2026-11-30 10:00",
    )
    assert (shift["Rota"], shift["On duty"], shift["On duty (chat ID)"]) == (
        "social media",
        "ben",
        "U0BEN",
    )
    assert (shift["Starts (UTC)"], shift["Ends (UTC)"]) == (
        "2026-11-30T10:00:00Z",
        "2026-12-07T09:00:00Z",
    )
    assert (shift["Origin"], shift["Handed over early"]) == ("rotation", "no")

    (reminder,) = rows(reminders)
    assert reminder["Outreach channel"] == "Twitter"
    assert reminder["Day"] == "2026-12-02"
    assert (reminder["Sent to"], reminder["Sent (UTC)"]) == ("ben", "2026-12-02T11:00:00Z")
    assert reminder["Status"] == "answered"  # Cat's post ended the quiet spell


async def test_member_is_refused_and_sent_nothing_when_they_ask_for_the_export(
    slack: SlackWorld,
) -> None:
    await a_fortnight(slack)

    reply = await slack.duty("U0BEN", "export")

    assert "Only coordinators and directors can do that, and nothing was changed." in reply
    assert "<@U0ADA>" in reply
    assert slack.fake.uploads == {}


async def test_director_gets_the_files_too_when_they_export(slack: SlackWorld) -> None:
    await a_fortnight(slack)
    await slack.duty("U0ADA", "role <@U0DAN|dan> director")

    reply = await slack.duty("U0DAN", "export")

    assert "I've sent you the export" in reply
    assert len(slack.fake.files_in(dm_channel("U0DAN"))) == 3


async def test_asker_is_told_when_slack_refuses_the_files(slack: SlackWorld) -> None:
    await a_fortnight(slack)
    slack.fake.fail_next["files.completeUploadExternal"] = [200]

    reply = await slack.duty("U0ADA", "export")

    assert "I couldn't send you the export files: files.upload: fatal_error." in reply
    assert "please try again in a minute" in reply
    assert "I've sent you" not in reply
    assert slack.fake.files_in(dm_channel("U0ADA")) == []
