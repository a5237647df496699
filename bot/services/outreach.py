"""Outreach channels and their posts: `posted`, `channels`, `stats`, and their setup."""

from __future__ import annotations

import difflib
from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain import commands as c
from bot.domain.digest import Risk
from bot.domain.feeds import BACKFILL_ALL, FeedRead, first_window, name_key
from bot.domain.model import (
    DEFAULT_QUIET,
    ChannelKind,
    OutreachChannel,
    Person,
    PostSource,
    Workspace,
)
from bot.domain.quiet import is_quiet, quiet_for, whole_days
from bot.messages import Bold, Bullets, Code, Fields, Heading, Message, Paragraph, Span, Text, text
from bot.ports import FeedError, UnitOfWork
from bot.services import feeds, watch
from bot.services.context import Context, RefusalError, remember
from bot.services.continuity import warning_line, warnings_now
from bot.services.wording import calendar_days, day, days_ago, joined, plural, who

MAX_CHANNELS = 100


def _quiet_words(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    if hours % 24 == 0:
        return plural(hours // 24, "day")
    return plural(hours, "hour")


def find_channel(ctx: Context, name: str) -> OutreachChannel:
    """An active outreach channel by name, or a refusal suggesting the right one."""
    channel = ctx.uow.channels.get_by_name(ctx.workspace.id, name)
    if channel is not None and not channel.archived:
        return channel
    active = [ch.name for ch in ctx.uow.channels.all(ctx.workspace.id)]
    if not active:
        raise RefusalError(
            Message.say(
                f"There are no outreach channels yet, so there is no “{name}”. "
                "A coordinator can add one with `/duty channel add <name> kind=…`."
            )
        )
    close = difflib.get_close_matches(name.casefold(), [n.casefold() for n in active], n=1)
    hint = ""
    if close:
        hint = f" Did you mean “{next(n for n in active if n.casefold() == close[0])}”?"
    raise RefusalError(
        Message.say(
            f"I don't know an outreach channel called “{name}”.{hint} "
            f"Channels: {', '.join(active)}."
        )
    )


def posted(
    ctx: Context,
    command: c.Posted,
    *,
    author: Person | None = None,
    source: PostSource = PostSource.MANUAL,
    posted_at: datetime | None = None,
) -> Message:
    """Record a post: by default the asker's, made just now."""
    channel = find_channel(ctx, command.channel)
    author = author or ctx.person
    when_posted = min(posted_at or ctx.now, ctx.now)
    if command.url is not None:
        duplicate = ctx.uow.posts.find_by_url(channel.id, command.url)
        if duplicate is not None:
            by = ctx.uow.people.get(duplicate.author_id) if duplicate.author_id else None
            return Message.say(
                "That post is already recorded for ",
                Bold(channel.name),
                " (by ",
                who(by),
                "), so I haven't counted it twice.",
            )
    last = ctx.uow.posts.last_post_times(ctx.workspace.id).get(channel.id)
    was_quiet = is_quiet(channel, last, ctx.now)
    silence = whole_days(quiet_for(channel, last, ctx.now))
    latest = when_posted if last is None else max(last, when_posted)
    ctx.uow.reminders.answer(channel.id, ctx.now)  # a recorded post answers its reminders
    ctx.uow.posts.add(
        ctx.workspace.id,
        channel_id=channel.id,
        author_id=author.id,
        posted_at=when_posted,
        source=source,
        recorded_by_id=ctx.person.id,
        recorded_at=ctx.now,
        url=command.url,
        note=command.note,
    )
    tail = (
        f" It had been quiet for {plural(silence, 'day')}: that's the quiet spell over."
        if was_quiet and not is_quiet(channel, latest, ctx.now)
        else ""
    )
    if author.id != ctx.person.id:
        return Message.say(
            "Recorded ", who(author), "'s post on ", Bold(channel.name), f". Thank you!{tail}"
        )
    return Message.say("Recorded your post on ", Bold(channel.name), f". Thank you!{tail}")


def channels(ctx: Context, command: c.Channels) -> Message:
    del command
    listed = ctx.uow.channels.all(ctx.workspace.id)
    if not listed:
        return Message.say(
            "No outreach channels yet. A coordinator can add one: "
            "`/duty channel add Twitter kind=twitter`."
        )
    last_posts = ctx.uow.posts.last_post_times(ctx.workspace.id)
    people = {p.id: p for p in ctx.uow.people.everyone(ctx.workspace.id)}
    zone = ctx.default_rota().timezone
    blocks: list[Heading | Paragraph | Fields | Bullets] = [Heading("Outreach channels")]
    # Who made most of a channel's posts is shown to those who may see `stats`.
    sees_shares = ctx.is_coordinator or ctx.is_director
    risks: dict[int, list[Text]] = {}
    for warning in warnings_now(ctx.uow, ctx.workspace, ctx.now, listed):
        if warning.risk is not Risk.ONE_PERSON or sees_shares:
            risks.setdefault(warning.channel.id, []).append(warning_line(warning))
    quiet_count = 0
    for channel in listed:
        last = last_posts.get(channel.id)
        quiet = is_quiet(channel, last, ctx.now)
        quiet_count += quiet
        days = whole_days(quiet_for(channel, last, ctx.now))
        if last is None:
            status = "quiet: no posts yet" if quiet else "no posts yet"
        else:
            status = f"quiet for {plural(days, 'day')}" if quiet else "fine"
        stewards = [people[i] for i in sorted(channel.steward_ids) if i in people]
        last_text = days_ago(calendar_days(last, ctx.now, zone)) if last is not None else "never"
        pairs: list[tuple[str, Text]] = [
            ("Last post", text(last_text)),
            ("Quiet after", text(_quiet_words(channel.quiet_after))),
            ("Status", text(Bold(status)) if quiet else text(status)),
            ("Stewards", joined((who(p) for p in stewards), empty="none yet")),
        ]
        if channel.access_note:
            pairs.append(("Login", text(channel.access_note)))
        if channel.feed_url:
            state = ctx.uow.feeds.state(channel.id)
            private = not ctx.is_coordinator
            pairs.append(("Feed", feeds.status(state, channel.feed_url, zone, private=private)))
        blocks.append(Paragraph(text(Bold(channel.name), f" ({channel.kind.value})")))
        blocks.append(Fields(tuple(pairs)))
        if channel.id in risks:
            blocks.append(Bullets(tuple(risks[channel.id])))
    blocks += watch.watch_note(ctx)
    if ctx.is_coordinator:
        blocks += undelivered(ctx.uow, ctx.workspace)
    summary = f"{plural(len(listed), 'outreach channel')}, {quiet_count} quiet"
    return Message(summary=summary, blocks=tuple(blocks))


def undelivered(uow: UnitOfWork, workspace: Workspace) -> list[Heading | Bullets]:
    """Scheduled messages that could not be sent, for coordinators to follow up."""
    names = {ch.id: ch.name for ch in uow.channels.all(workspace.id, include_archived=True)}
    lines: list[Text] = []
    for reminder in uow.reminders.failed(workspace.id)[:10]:
        lines.append(
            text(
                f"Reminder about {names.get(reminder.channel_id, 'a removed channel')} "
                f"({day(reminder.day)}): {reminder.last_error}"
            )
        )
    for delivery in uow.deliveries.failed(workspace.id)[:10]:
        lines.append(text(f"{delivery.kind.value.capitalize()} message: {delivery.last_error}"))
    if not lines:
        return []
    return [Heading("Messages that could not be sent"), Bullets(tuple(lines))]


def stats(ctx: Context, command: c.Stats) -> Message:
    since = ctx.now - timedelta(days=command.days)
    names = {ch.id: ch.name for ch in ctx.uow.channels.all(ctx.workspace.id, include_archived=True)}
    by_channel = sorted(
        ctx.uow.posts.count_by_channel(ctx.workspace.id, since),
        key=lambda row: (-row.posts, names.get(row.channel_id, "")),
    )
    by_author = ctx.uow.posts.count_by_author(ctx.workspace.id, since)
    total = sum(row.posts for row in by_channel)
    title = f"Posts in the last {plural(command.days, 'day')}"
    if total == 0:
        return Message(
            summary=f"{title}: none",
            blocks=(
                Heading(title),
                Paragraph(text("No posts recorded. `/duty posted <channel> [url]` records one.")),
            ),
        )
    people = {p.id: p for p in ctx.uow.people.everyone(ctx.workspace.id)}
    channel_lines = tuple(
        text(Bold(names.get(row.channel_id, "?")), f": {row.posts}") for row in by_channel
    )
    author_lines: list[Text] = []
    for row in sorted(by_author, key=lambda r: -r.posts):
        person = people.get(row.person_id) if row.person_id is not None else None
        label: Span = who(person) if person is not None else Code("no author")
        author_lines.append(text(label, f": {row.posts}"))
    return Message(
        summary=f"{title}: {total}",
        blocks=(
            Heading(title),
            Paragraph(text(f"{plural(total, 'post')} in all.")),
            Paragraph(text(Bold("Per channel"))),
            Bullets(channel_lines),
            Paragraph(text(Bold("Per person"))),
            Bullets(tuple(author_lines)),
        ),
    )


def _guess_kind(name: str) -> ChannelKind:
    key = name.casefold().replace(" ", "")
    aliases = {"x": ChannelKind.TWITTER, "fb": ChannelKind.FACEBOOK, "insta": ChannelKind.INSTAGRAM}
    if key in aliases:
        return aliases[key]
    for kind in ChannelKind:
        if key.startswith(kind.value):
            return kind
    return ChannelKind.OTHER


def channel_add(ctx: Context, command: c.ChannelAdd) -> Message:
    existing = ctx.uow.channels.get_by_name(ctx.workspace.id, command.name)
    if existing is not None and not existing.archived:
        return Message.say(
            "There is already an outreach channel called ",
            Bold(existing.name),
            ". `/duty channel set` changes it.",
        )
    if existing is None and len(ctx.uow.channels.all(ctx.workspace.id)) >= MAX_CHANNELS:
        return Message.say(f"A workspace can have at most {MAX_CHANNELS} outreach channels.")
    kind = command.kind or _guess_kind(command.name)
    quiet = command.quiet or DEFAULT_QUIET[kind]
    read = _read_feed(ctx, command.feed, command.name) if command.feed else None
    if existing is not None:
        # Restored as it was, except for what the coordinator says now.
        kind = command.kind or existing.kind
        kept = existing.quiet_after if kind is existing.kind else DEFAULT_QUIET[kind]
        quiet = command.quiet or kept
        restored = OutreachChannel(
            id=existing.id,
            workspace_id=existing.workspace_id,
            name=command.name,
            kind=kind,
            quiet_after=quiet,
            created_at=existing.created_at,
            feed_url=command.feed or existing.feed_url,
            match_pattern=command.match or existing.match_pattern,
            access_note=existing.access_note,
            archived=False,
        )
        ctx.uow.channels.update(restored)
        watching = _start_watching(ctx, restored, read)
        return Message.say(
            "Restored the outreach channel ",
            Bold(restored.name),
            f" ({kind.value}, quiet after {_quiet_words(quiet)}), with its earlier posts.",
            watching,
        )
    channel = ctx.uow.channels.add(
        ctx.workspace.id,
        name=command.name,
        kind=kind,
        quiet_after_seconds=int(quiet.total_seconds()),
        created_at=ctx.now,
        feed_url=command.feed,
        match_pattern=command.match,
    )
    if read is not None:
        return Message.say(
            "Added the outreach channel ",
            Bold(channel.name),
            f" ({kind.value}, quiet after {_quiet_words(quiet)}).",
            _start_watching(ctx, channel, read),
        )
    return Message.say(
        "Added the outreach channel ",
        Bold(channel.name),
        f" ({kind.value}, quiet after {_quiet_words(quiet)}). "
        f"Record posts with `/duty posted {channel.name} <url>`.",
    )


def _read_feed(ctx: Context, url: str, channel_name: str) -> FeedRead:
    """The feed at `url`, read now; a refusal saying what is wrong when it can't be used."""
    try:
        return ctx.read_feed(url)
    except FeedError as error:
        raise RefusalError(
            Message.say(
                f"I can't use {url} as a feed: {error.reason}. Nothing was changed. Check the "
                "address (opened in a browser, a feed shows XML), or leave `feed=` out and add "
                f"it later with `/duty channel set {channel_name} feed=<address>`."
            )
        ) from None


def _start_watching(ctx: Context, channel: OutreachChannel, read: FeedRead | None) -> str:
    """Begin watching the channel's feed just read; a sentence saying what was found."""
    if read is None:
        return ""
    taken = feeds.start_watching(ctx.uow, ctx.workspace, channel, read, ctx.now)
    later = " I'll check it every 20 minutes for new ones."
    if not taken.entries:
        return f" Its feed has no entries yet.{later}"
    window = plural(first_window(channel.quiet_after).days, "day")
    count = len(taken.posts)
    dated = sum(1 for entry in read.entries if entry.published is not None)
    if count:
        which = "the one post" if count == 1 else f"the {count} posts"
        recorded = (
            f" I recorded {which} of the last {window}, credited to their mapped authors or "
            "to whoever was on duty when each was published."
        )
    elif not dated:
        recorded = " Its entries carry no dates, so I recorded none of them; new ones will be."
    else:
        recorded = f" None are from the last {window}, so no posts were recorded yet."
    older = (
        f" Older entries are left out; `/duty channel set {channel.name} backfill=90d` records "
        "more."
        if taken.left_out and dated
        else ""
    )
    found = plural(taken.entries, "entry", "entries")
    return f" Its feed has {found}.{recorded}{older}{later}"


def _backfill_words(taken: feeds.Taken, span: timedelta) -> str:
    """What a backfill recorded."""
    count = len(taken.posts)
    if span >= BACKFILL_ALL:
        if not count:
            return " There were no more entries to record."
        return f" Recorded {plural(count, 'more post')}: every entry its feed holds now."
    days = plural(span.days, "day")
    if not count:
        return f" No entries of the last {days} were left to record."
    return f" Recorded {plural(count, 'more post')} from the last {days} of its feed."


def channel_set(ctx: Context, command: c.ChannelSet) -> Message:
    channel = find_channel(ctx, command.name)
    new_feed = command.feed is not None and (command.feed or None) != channel.feed_url
    read = _read_feed(ctx, command.feed, channel.name) if new_feed and command.feed else None
    if command.backfill is not None:
        feed = command.feed if command.feed is not None else channel.feed_url
        if not feed:
            return Message.say(
                Bold(channel.name),
                " has no feed to look back in. Give it one with "
                f"`/duty channel set {channel.name} feed=<address>`.",
            )
        read = read or _read_feed(ctx, feed, channel.name)
    changes: list[str] = []
    updated = channel
    if command.rename is not None and command.rename != channel.name:
        clash = ctx.uow.channels.get_by_name(ctx.workspace.id, command.rename)
        if clash is not None and clash.id != channel.id:
            return Message.say(
                f"“{command.rename}” is already the name of another outreach channel"
                f"{' (archived)' if clash.archived else ''}. Pick another name."
            )
        updated = replace(updated, name=command.rename)
        changes.append(f"renamed to {command.rename}")
    if command.kind is not None and command.kind != channel.kind:
        updated = replace(updated, kind=command.kind)
        changes.append(f"kind {command.kind.value}")
        if command.quiet is None and channel.quiet_after == DEFAULT_QUIET[channel.kind]:
            usual = DEFAULT_QUIET[command.kind]
            updated = replace(updated, quiet_after=usual)
            changes.append(f"quiet after {_quiet_words(usual)}, the usual for {command.kind}")
    if command.quiet is not None and command.quiet != channel.quiet_after:
        updated = replace(updated, quiet_after=command.quiet)
        changes.append(f"quiet after {_quiet_words(command.quiet)}")
    if new_feed:
        updated = replace(updated, feed_url=command.feed or None)
        changes.append(f"feed {command.feed}" if command.feed else "no feed")
    if command.match is not None and (command.match or None) != channel.match_pattern:
        updated = replace(updated, match_pattern=command.match or None)
        changes.append(f"posts match {command.match}" if command.match else "no match pattern")
    if not changes and command.backfill is None:
        return Message.say(Bold(channel.name), " already has those settings; nothing changed.")
    said: list[str | Span] = []
    if changes:
        ctx.uow.channels.update(updated)
        said = ["Updated ", Bold(updated.name), ": " + "; ".join(changes) + "."]
    if new_feed and read is not None and command.backfill is None:
        said.append(_start_watching(ctx, updated, read))
    if command.backfill is not None and read is not None:
        taken = feeds.backfill(ctx.uow, ctx.workspace, updated, read, command.backfill, ctx.now)
        words = _backfill_words(taken, command.backfill)
        said.append(words if said else words.lstrip())
    return Message.say(*said)


def channel_remove(ctx: Context, command: c.ChannelRemove) -> Message:
    channel = find_channel(ctx, command.name)
    ctx.uow.channels.update(replace(channel, archived=True))
    return Message.say(
        "Archived ",
        Bold(channel.name),
        ". Its posts stay in the record; `/duty channel add` with the same name restores it.",
    )


def resolve_person(
    ctx: Context, mention: c.PersonMention, *, allow_departed: bool = False
) -> Person:
    """The person a mention names, looked up on the platform if need be.

    People who have left the workspace are refused unless `allow_departed` (for tidying up
    after them).
    """
    if mention.user_id is not None:
        person = remember(
            ctx.uow, ctx.directory, ctx.workspace, mention.user_id, ctx.now, mention.name or ""
        )
        if person is None or (person.deleted and not allow_departed):
            raise RefusalError(
                Message.say(
                    f"I can't find that person (`{mention.name or mention.user_id}`) in this "
                    "workspace. Pick them from the @ autocomplete."
                )
            )
        return person
    name = (mention.name or "").lstrip("@")
    matches = ctx.uow.people.find_by_name(ctx.workspace.id, name)
    if not matches and allow_departed:
        # The platform may no longer offer someone who left in its @ autocomplete.
        wanted = name.casefold()
        matches = [
            p
            for p in ctx.uow.people.everyone(ctx.workspace.id)
            if p.deleted and wanted in (p.display_name.casefold(), (p.handle or "").casefold())
        ]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise RefusalError(
            Message.say(
                f"More than one person is called @{name}. Pick the right one from the @ "
                "autocomplete so I know who you mean."
            )
        )
    raise RefusalError(
        Message.say(
            f"I don't know anyone called @{name} yet. Pick them from the @ autocomplete "
            "so I know who you mean."
        )
    )


def feed_author(ctx: Context, command: c.FeedAuthor) -> Message:
    """Credit feed entries by an author's name to a member of staff, or list who is."""
    if command.name is None:
        mapped = ctx.uow.feeds.author_list(ctx.workspace.id)
        if not mapped:
            return Message.say(
                "No author names from feeds are credited to anyone yet, so feed entries go to "
                'whoever was on duty. `/duty author "Jane Doe" @jane` credits hers to her.'
            )
        people = {p.id: p for p in ctx.uow.people.everyone(ctx.workspace.id)}
        lines = tuple(text(f"“{name}”: ", who(people.get(person_id))) for name, person_id in mapped)
        return Message(
            summary="Feed authors",
            blocks=(Heading("Feed authors credited to staff"), Bullets(lines)),
        )
    if command.person is None:
        if name_key(command.name) not in ctx.uow.feeds.authors(ctx.workspace.id):
            return Message.say(f"“{command.name}” wasn't credited to anyone; nothing changed.")
        ctx.uow.feeds.set_author(ctx.workspace.id, command.name, None)
        return Message.say(
            f"Feed entries by “{command.name}” go to whoever is on duty again, from now on."
        )
    person = resolve_person(ctx, command.person)
    ctx.uow.feeds.set_author(ctx.workspace.id, command.name, person.id)
    return Message.say(
        f"Feed entries by “{command.name}” are credited to ",
        who(person),
        " from now on; posts already recorded keep their credit.",
    )


def steward_add(ctx: Context, command: c.StewardAdd) -> Message:
    channel = find_channel(ctx, command.channel)
    person = resolve_person(ctx, command.person)
    if not ctx.uow.channels.add_steward(channel.id, person.id):
        return Message.say(who(person), " is already a steward of ", Bold(channel.name), ".")
    return Message.say(
        who(person), " is now a steward of ", Bold(channel.name), ": someone who can get in."
    )


def steward_remove(ctx: Context, command: c.StewardRemove) -> Message:
    channel = find_channel(ctx, command.channel)
    person = resolve_person(ctx, command.person, allow_departed=True)
    if not ctx.uow.channels.remove_steward(channel.id, person.id):
        return Message.say(who(person), " is not a steward of ", Bold(channel.name), ".")
    present = {p.id for p in ctx.uow.people.everyone(ctx.workspace.id) if not p.deleted}
    left = len((channel.steward_ids - {person.id}) & present)
    warning = (
        f" It has {plural(left, 'steward')} now; two or more keep it safe when someone is away."
        if left < 2
        else ""
    )
    return Message.say(
        who(person), " is no longer a steward of ", Bold(channel.name), f".{warning}"
    )


def access(ctx: Context, command: c.Access) -> Message:
    channel = find_channel(ctx, command.channel)
    ctx.uow.channels.update(replace(channel, access_note=command.note))
    return Message.say("Saved where the login for ", Bold(channel.name), " lives: ", command.note)
