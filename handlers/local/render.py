"""Platform-neutral messages and forms as HTML for the playground's page.

Everything that reaches the page goes through `html.escape`, so text people typed (notes,
channel names, access notes) is shown as text and never runs as markup. Links are kept
only when they are http(s); buttons become real `<button>`s carrying the action id and
value that `Baton.press` expects.
"""

from __future__ import annotations

import re
import secrets
from html import escape
from typing import Any

from bot.messages import (
    Bold,
    Bullets,
    Button,
    Buttons,
    ChatChannel,
    Code,
    Divider,
    Fields,
    Form,
    FormErrors,
    Heading,
    HiddenField,
    Link,
    Mention,
    Message,
    Paragraph,
    Plain,
    Reply,
    SelectField,
    Text,
    TextField,
    plain_text,
)

_SAFE_SCHEMES = ("http://", "https://")
_TICKS = re.compile(r"`([^`\n]+)`")


def _lines(value: str) -> str:
    """Escaped text with its line breaks kept, and `code` in backticks shown as code (as
    Slack shows it: Baton's sentences quote commands that way)."""
    escaped = _TICKS.sub(lambda match: f"<code>{match.group(1)}</code>", escape(value))
    return escaped.replace("\n", "<br>")


def spans_html(spans: Text) -> str:
    """Text as inline HTML: bold, code, links, mentions as @name, chat channels as #name."""
    out: list[str] = []
    for span in spans:
        match span:
            case Plain(value):
                out.append(_lines(value))
            case Bold(value):
                out.append(f"<strong>{_lines(value)}</strong>")
            case Code(value):
                out.append(f"<code>{escape(value)}</code>")
            case Link(url, label):
                shown = escape(label or url)
                if url.lower().startswith(_SAFE_SCHEMES):
                    out.append(
                        f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer" '
                        f'target="_blank">{shown}</a>'
                    )
                else:
                    out.append(shown)
            case Mention(_, name):
                out.append(f'<span class="mention">@{escape(name)}</span>')
            case ChatChannel(external_id):
                out.append(f'<span class="chat-channel">#{escape(external_id)}</span>')
    return "".join(out)


def _button(button: Button) -> str:
    style = f" {button.style}" if button.style else ""
    return (
        f'<button type="button" class="action{style}" '
        f'data-action="{escape(button.action_id, quote=True)}" '
        f'data-value="{escape(button.value, quote=True)}">{escape(button.label)}</button>'
    )


def message_html(message: Message) -> str:
    """A message's blocks as HTML, in order."""
    out: list[str] = []
    for block in message.blocks:
        match block:
            case Heading(value):
                out.append(f"<h3>{escape(value)}</h3>")
            case Paragraph(spans):
                out.append(f"<p>{spans_html(spans)}</p>")
            case Bullets(items):
                lines = "".join(f"<li>{spans_html(item)}</li>" for item in items)
                out.append(f"<ul>{lines}</ul>")
            case Fields(pairs):
                rows = "".join(
                    f"<div><dt>{escape(label)}</dt><dd>{spans_html(value)}</dd></div>"
                    for label, value in pairs
                )
                out.append(f'<dl class="fields">{rows}</dl>')
            case Buttons(buttons):
                inner = "".join(_button(b) for b in buttons)
                out.append(f'<div class="buttons" role="group" aria-label="Actions">{inner}</div>')
            case Divider():
                out.append("<hr>")
    return "".join(out)


def message_text(message: Message) -> str:
    """Everything a person reads in a message, as plain text (button labels in brackets)."""
    out: list[str] = []
    for block in message.blocks:
        match block:
            case Heading(value):
                out.append(value)
            case Paragraph(spans):
                out.append(plain_text(spans))
            case Bullets(items):
                out += [f"• {plain_text(item)}" for item in items]
            case Fields(pairs):
                out += [f"{label}: {plain_text(value)}" for label, value in pairs]
            case Buttons(buttons):
                out.append(" ".join(f"[{b.label}]" for b in buttons))
            case Divider():
                out.append("—")
    return "\n".join(out)


def message_buttons(message: Message) -> list[dict[str, str]]:
    """The buttons in a message, as the page presses them."""
    return [
        {"label": b.label, "action": b.action_id, "value": b.value}
        for block in message.blocks
        if isinstance(block, Buttons)
        for b in block.buttons
    ]


def message_json(message: Message) -> dict[str, Any]:
    """A message for the page: its HTML, and its text and buttons for scripts and tests."""
    return {
        "kind": "message",
        "summary": message.summary,
        "html": message_html(message),
        "text": message_text(message),
        "buttons": message_buttons(message),
    }


def _field_html(field: SelectField | TextField | HiddenField, prefix: str) -> str:
    ident = f"{prefix}-{field.name}"
    name = escape(field.name, quote=True)
    if isinstance(field, HiddenField):
        return f'<input type="hidden" name="{name}" value="{escape(field.value, quote=True)}">'
    error = f'<p class="field-error" id="{ident}-error" hidden></p>'
    if isinstance(field, SelectField):
        options = ['<option value="">Choose…</option>']
        for choice in field.choices:
            chosen = " selected" if choice.value == field.initial else ""
            options.append(
                f'<option value="{escape(choice.value, quote=True)}"{chosen}>'
                f"{escape(choice.label)}</option>"
            )
        control = (
            f'<select id="{ident}" name="{name}" required aria-describedby="{ident}-error">'
            f"{''.join(options)}</select>"
        )
        optional = False
    else:
        placeholder = (
            f' placeholder="{escape(field.placeholder, quote=True)}"' if field.placeholder else ""
        )
        common = (
            f'id="{ident}" name="{name}" maxlength="{field.max_length}"{placeholder} '
            f'aria-describedby="{ident}-error"' + ("" if field.optional else " required")
        )
        initial = escape(field.initial, quote=True)
        control = (
            f'<textarea {common} rows="3">{initial}</textarea>'
            if field.multiline
            else f'<input type="text" {common} value="{initial}">'
        )
        optional = field.optional
    label = escape(field.label) + (' <span class="optional">(optional)</span>' if optional else "")
    return f'<div class="field"><label for="{ident}">{label}</label>{control}{error}</div>'


def form_html(form: Form) -> str:
    """A form as an HTML form; the page sends its answers back under `form_id`, with a
    submission id so that sending it twice records it once."""
    prefix = f"form-{secrets.token_hex(4)}"
    submission = secrets.token_hex(8)
    fields = "".join(_field_html(field, prefix) for field in form.fields)
    intro = f'<p class="intro">{spans_html(form.intro)}</p>' if form.intro else ""
    return (
        f'<form class="baton-form" data-form-id="{escape(form.form_id, quote=True)}" '
        f'data-submission="{submission}" aria-labelledby="{prefix}-title" novalidate>'
        f'<h3 id="{prefix}-title">{escape(form.title)}</h3>{intro}{fields}'
        '<div class="buttons">'
        f'<button type="submit" class="primary">{escape(form.submit)}</button>'
        '<button type="button" class="cancel">Cancel</button></div></form>'
    )


def reply_json(reply: Reply) -> dict[str, Any]:
    """Any reply for the page: a message, a form to fill in, or what to fix in one."""
    if isinstance(reply, Form):
        return {
            "kind": "form",
            "form_id": reply.form_id,
            "title": reply.title,
            "fields": [field.name for field in reply.fields],
            "html": form_html(reply),
        }
    if isinstance(reply, FormErrors):
        return {"kind": "errors", "errors": dict(reply.errors)}
    return message_json(reply)
