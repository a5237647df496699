"""Buttons and forms: the post form (also filled in from a chat message), and the buttons on
reminders (§5, §6, §7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain import commands as c
from bot.domain.links import channels_for, links_in, message_words
from bot.domain.model import Person, PostSource
from bot.messages import (
    Button,
    Buttons,
    Choice,
    Form,
    FormErrors,
    HiddenField,
    Message,
    Reply,
    SelectField,
    Text,
    TextField,
    text,
)
from bot.services import duty, outreach
from bot.services.context import Context, remember
from bot.services.watch import ChatMessage
from bot.services.wording import when, who

POST_FORM = "post_form"
AUTHOR = "author"
"""The post form's hidden field naming whose post it is (a chat message's author)."""
POSTED_AT = "posted_at"
"""The post form's hidden field saying when the post was made (when its message was sent)."""
LOG_POST = "log_post"
SNOOZE = "snooze_day"
HAND_ON = "pass_shift"
SNOOZE_FOR = timedelta(days=1)
URL_LIMIT = 500
NOTE_LIMIT = 1000


def reminder_buttons(channel_ids: list[int], can_pass: bool) -> Buttons:
    """The buttons under a reminder about these channels."""
    ids = ",".join(str(i) for i in channel_ids)
    buttons = [
        Button("Log a post", LOG_POST, ids, style="primary"),
        Button("Snooze 1 day", SNOOZE, ids),
    ]
    if can_pass:
        buttons.append(Button("Pass to next person", HAND_ON, ids))
    return Buttons(tuple(buttons))


def post_form(
    ctx: Context,
    command: c.PostedForm | None = None,
    preselect: int | None = None,
    *,
    url: str = "",
    note: str = "",
    intro: Text = (),
    hidden: tuple[HiddenField, ...] = (),
) -> Reply:
    """The form for recording a post, with the channel already picked if known (and, for a
    post seen in a chat message, its link, words and author filled in)."""
    del command
    listed = ctx.uow.channels.all(ctx.workspace.id)
    if not listed:
        return Message.say(
            "There are no outreach channels yet. A coordinator can add one with "
            "`/duty channel add <name> kind=…`."
        )
    choices = tuple(Choice(str(ch.id), ch.name) for ch in listed)
    initial = str(preselect) if any(ch.id == preselect for ch in listed) else None
    return Form(
        form_id=POST_FORM,
        title="Record a post",
        submit="Record",
        fields=(
            SelectField("channel", "Outreach channel", choices, initial),
            TextField(
                "url",
                "Link to the post",
                placeholder="https://…",
                max_length=URL_LIMIT,
                initial=url if len(url) <= URL_LIMIT else "",
            ),
            TextField(
                "note", "Note", multiline=True, max_length=NOTE_LIMIT, initial=note[:NOTE_LIMIT]
            ),
            *hidden,
        ),
        intro=intro,
    )


def message_post_form(ctx: Context, message: ChatMessage) -> Reply:
    """The post form filled in from a chat message: its first link, the outreach channel
    that link belongs to, its words as the note, and its author as the one credited."""
    author = (
        remember(ctx.uow, ctx.directory, ctx.workspace, message.author_external_id, ctx.now)
        if message.author_external_id
        else None
    )
    links = links_in(message.text)
    url = links[0] if links else ""
    matched = channels_for(url, ctx.uow.channels.all(ctx.workspace.id)) if url else []
    if author is None:
        intro = text("That message came from an app, so the post will be credited to you.")
    elif author.id == ctx.person.id:
        intro = text("From your message: the post will be credited to you.")
    else:
        intro = text("From ", who(author), "'s message: the post will be credited to them.")
    if not url:
        intro += text(" There is no link in it: paste the post's link if it has one.")
    return post_form(
        ctx,
        preselect=matched[0].id if matched else None,
        url=url,
        note=message_words(message.text, NOTE_LIMIT),
        intro=intro,
        hidden=(
            HiddenField(AUTHOR, author.external_id if author else ""),
            HiddenField(POSTED_AT, message.sent_at.isoformat()),
        ),
    )


def _channel_ids(value: str) -> list[int]:
    return [int(part) for part in value.split(",") if part.strip().isdigit()]


def press(ctx: Context, action: str, value: str) -> list[Reply]:
    """A button on a reminder: each of them answers the reminder."""
    ids = _channel_ids(value)
    mine = {ch.id: ch for ch in ctx.uow.channels.all(ctx.workspace.id)}
    channels = [mine[i] for i in ids if i in mine]
    for channel in channels:
        ctx.uow.reminders.answer(channel.id, ctx.now)
    if action == LOG_POST:
        return [post_form(ctx, preselect=channels[0].id if channels else None)]
    if action == SNOOZE:
        if not channels:
            return [Message.say("Those channels are gone, so there is nothing to snooze.")]
        until = ctx.now + SNOOZE_FOR
        for channel in channels:
            ctx.uow.channels.update(replace(channel, snoozed_until=until))
        names = ", ".join(ch.name for ch in channels)
        rota = ctx.default_rota()
        return [
            Message.say(f"Snoozed: no reminders about {names} until {when(until, rota.timezone)}.")
        ]
    if action == HAND_ON:
        return [duty.skip(ctx, c.Skip())]
    return [Message.say("That button no longer does anything. `/duty help` shows what I can do.")]


def submit(
    ctx: Context, form_id: str, answers: dict[str, str], submission_id: str | None = None
) -> list[Reply]:
    """A filled-in form came back; `submission_id` names this filling-in, so that sending
    the same one twice (a slow answer, a second click) records the post once."""
    if form_id != POST_FORM:
        return [Message.say("That form has expired. `/duty posted` opens a new one.")]
    errors: dict[str, str] = {}
    mine = {str(ch.id): ch for ch in ctx.uow.channels.all(ctx.workspace.id)}
    channel = mine.get(answers.get("channel", ""))
    if channel is None:
        errors["channel"] = "Pick the outreach channel you posted on."
    url = answers.get("url", "").strip() or None
    if url is not None and (
        not url.lower().startswith(("http://", "https://")) or any(ch.isspace() for ch in url)
    ):
        errors["url"] = "Paste the post's web address, starting with https://"
    elif url is not None and len(url) > URL_LIMIT:
        errors["url"] = f"Keep the link under {URL_LIMIT} characters."
    note = " ".join(answers.get("note", "").split()) or None
    if note is not None and len(note) > NOTE_LIMIT:
        errors["note"] = f"Keep the note under {NOTE_LIMIT} characters."
    if errors or channel is None:
        return [FormErrors(errors)]
    if submission_id and not ctx.uow.events.first_time("form", submission_id, ctx.now):
        return [Message.say("That post is already recorded; I haven't counted it twice.")]
    author = _author(ctx, answers.get(AUTHOR, ""))
    if author is None:
        return [outreach.posted(ctx, c.Posted(channel.name, url, note))]
    return [
        outreach.posted(
            ctx,
            c.Posted(channel.name, url, note),
            author=author,
            source=PostSource.CHAT_MESSAGE,
            posted_at=_moment(answers.get(POSTED_AT, "")),
        )
    ]


def _author(ctx: Context, external_id: str) -> Person | None:
    """The author a form from a chat message names, if Baton knows them here."""
    if not external_id:
        return None
    return ctx.uow.people.get_by_external_id(ctx.workspace.id, external_id)


def _moment(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
