"""Platform-neutral messages: what Baton says, independent of how Slack or Teams shows it.

Text is built from spans so that each platform can format and escape it correctly:
user-supplied text always travels as `Plain` (or `Bold`/`Code`) and is escaped by the
renderer, so nobody can smuggle a mention or a broadcast into a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class Plain:
    text: str


@dataclass(frozen=True, slots=True)
class Bold:
    text: str


@dataclass(frozen=True, slots=True)
class Code:
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """A person, shown as a mention where the platform can."""

    external_id: str
    display_name: str


@dataclass(frozen=True, slots=True)
class ChatChannel:
    """A chat platform's channel (a Slack channel id), shown as a link where the platform can."""

    external_id: str


Span = Plain | Bold | Code | Link | Mention | ChatChannel
Text = tuple[Span, ...]


def text(*parts: str | Span) -> Text:
    """Build text from strings (plain) and spans."""
    return tuple(Plain(p) if isinstance(p, str) else p for p in parts)


def plain_text(spans: Text) -> str:
    """The text with no formatting, for notifications and fallbacks."""
    out: list[str] = []
    for span in spans:
        match span:
            case Plain(t) | Bold(t) | Code(t):
                out.append(t)
            case Link(url, label):
                out.append(label or url)
            case Mention(_, name):
                out.append(f"@{name}")
            case ChatChannel(external_id):
                out.append(f"#{external_id}")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Heading:
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: Text


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[Text, ...]


@dataclass(frozen=True, slots=True)
class Fields:
    """Label/value pairs, shown side by side where the platform can."""

    pairs: tuple[tuple[str, Text], ...]


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action_id: str
    value: str = ""
    style: Literal["primary", "danger"] | None = None


@dataclass(frozen=True, slots=True)
class Buttons:
    buttons: tuple[Button, ...]


@dataclass(frozen=True, slots=True)
class Divider:
    pass


Block = Heading | Paragraph | Bullets | Fields | Buttons | Divider


@dataclass(frozen=True, slots=True)
class Message:
    """A message: blocks in order, and a one-line summary for notifications."""

    summary: str
    blocks: tuple[Block, ...] = field(default=())

    @classmethod
    def combine(cls, messages: list[Message]) -> Message:
        """Several messages as one, in order; the first one's summary."""
        blocks = tuple(block for message in messages for block in message.blocks)
        return cls(summary=messages[0].summary if messages else "", blocks=blocks)

    @classmethod
    def say(cls, *parts: str | Span) -> Message:
        """A message of one paragraph."""
        spans = text(*parts)
        return cls(summary=plain_text(spans), blocks=(Paragraph(spans),))


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class SelectField:
    """Pick one of several choices."""

    name: str
    label: str
    choices: tuple[Choice, ...]
    initial: str | None = None


@dataclass(frozen=True, slots=True)
class TextField:
    """A line (or a few) of text."""

    name: str
    label: str
    optional: bool = True
    multiline: bool = False
    placeholder: str = ""
    max_length: int = 1000
    initial: str = ""
    """What it holds when the form opens."""


@dataclass(frozen=True, slots=True)
class HiddenField:
    """A value the form carries back with its answers, never shown (whose post it is)."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Form:
    """A form for a person to fill in; its answers come back under `form_id`."""

    form_id: str
    title: str
    submit: str
    fields: tuple[SelectField | TextField | HiddenField, ...]
    intro: Text = ()
    """A line above the fields, if any."""


@dataclass(frozen=True, slots=True)
class FormErrors:
    """What is wrong with a filled-in form, by field name; the form stays open."""

    errors: dict[str, str]


Reply = Message | Form | FormErrors
"""What a person gets back: a message, a form to fill in, or what to fix in one."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message: its name, a title to show, what it is, and its bytes."""

    filename: str
    title: str
    content: bytes
    mime_type: str = "application/octet-stream"
