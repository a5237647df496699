"""Platform-neutral messages as Slack Block Kit and mrkdwn, with user text escaped."""

from __future__ import annotations

import json
from typing import Any

from bot.messages import (
    Bold,
    Bullets,
    Buttons,
    ChatChannel,
    Code,
    Divider,
    Fields,
    Form,
    Heading,
    HiddenField,
    Link,
    Mention,
    Message,
    Paragraph,
    Plain,
    SelectField,
    Text,
)

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
HEADER_LIMIT = 150
BLOCK_LIMIT = 50
FIELDS_PER_SECTION = 10

Block = dict[str, Any]


def escape(value: str) -> str:
    """Escape the three characters Slack treats as control sequences in mrkdwn."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(value: str, mark: str) -> str:
    # mrkdwn emphasis can't span lines, nor start or end with a space (`*Now *` shows the
    # asterisks): apply it line by line, with the spaces outside the marks.
    lines: list[str] = []
    for line in value.split("\n"):
        core = line.strip()
        if not core:
            lines.append(line)
            continue
        start = line.index(core)
        lines.append(f"{line[:start]}{mark}{core}{mark}{line[start + len(core) :]}")
    return "\n".join(lines)


def mrkdwn(spans: Text) -> str:
    """Text as mrkdwn: mentions as Slack mentions, everything typed by people escaped."""
    out: list[str] = []
    for span in spans:
        match span:
            case Plain(value):
                out.append(escape(value))
            case Bold(value):
                out.append(_inline(escape(value), "*"))
            case Code(value):
                out.append(_inline(escape(value).replace("`", "'"), "`"))
            case Link(url, label):
                safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
                out.append(f"<{safe_url}|{escape(label)}>" if label else f"<{safe_url}>")
            case Mention(external_id, _):
                out.append(f"<@{escape(external_id)}>")
            case ChatChannel(external_id):
                out.append(f"<#{escape(external_id)}>")
    return "".join(out)


def _truncate(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def blocks(message: Message, limit: int = BLOCK_LIMIT) -> list[Block]:
    """The message as Block Kit blocks, within Slack's limits (50 in a message, 100 in a
    modal or the App Home)."""
    out: list[Block] = []
    for block in message.blocks:
        match block:
            case Heading(value):
                out.append(
                    {
                        "type": "header",
                        "text": {"type": "plain_text", "text": _truncate(value, HEADER_LIMIT)},
                    }
                )
            case Paragraph(spans):
                out += _sections(mrkdwn(spans).split("\n"))
            case Bullets(items):
                out += _sections([f"• {mrkdwn(item)}" for item in items])
            case Fields(pairs):
                fields = [
                    {
                        "type": "mrkdwn",
                        "text": _truncate(f"*{escape(label)}*\n{mrkdwn(value)}", FIELD_LIMIT),
                    }
                    for label, value in pairs
                ]
                for start in range(0, len(fields), FIELDS_PER_SECTION):
                    out.append(
                        {"type": "section", "fields": fields[start : start + FIELDS_PER_SECTION]}
                    )
            case Buttons(buttons):
                elements: list[Block] = []
                for button in buttons:
                    element: Block = {
                        "type": "button",
                        "text": {"type": "plain_text", "text": _truncate(button.label, 75)},
                        "action_id": button.action_id,
                        "value": _truncate(button.value, 2000),
                    }
                    if button.style:
                        element["style"] = button.style
                    elements.append(element)
                out.append({"type": "actions", "elements": elements[:25]})
            case Divider():
                out.append({"type": "divider"})
    if len(out) > limit:
        out = [*out[: limit - 1], _section("_…and more than fits in one message._")]
    return out


def _sections(lines: list[str]) -> list[Block]:
    """Lines as few sections as Slack's length limit allows, never splitting a line."""
    sections: list[Block] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        line = _truncate(line, SECTION_LIMIT)
        if chunk and size + 1 + len(line) > SECTION_LIMIT:
            sections.append(_section("\n".join(chunk)))
            chunk, size = [], 0
        size += len(line) + (1 if chunk else 0)
        chunk.append(line)
    if chunk:
        sections.append(_section("\n".join(chunk)))
    return sections


def _section(value: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _truncate(value, SECTION_LIMIT)}}


def fallback_text(message: Message) -> str:
    """The notification text shown where blocks can't be (escaped, no formatting)."""
    return escape(message.summary)[:3000]


MODAL_TITLE_LIMIT = 24
METADATA_LIMIT = 3000


def form_view(form: Form) -> Block:
    """A form as a Slack modal; each field is a block whose id is the field's name, and
    hidden fields travel in the view's private metadata."""
    inputs: list[Block] = [_section(mrkdwn(form.intro))] if form.intro else []
    hidden: dict[str, str] = {}
    for field in form.fields:
        element: Block
        if isinstance(field, HiddenField):
            hidden[field.name] = field.value
            continue
        if isinstance(field, SelectField):
            options = [
                {
                    "text": {"type": "plain_text", "text": _truncate(choice.label, 75)},
                    "value": choice.value,
                }
                for choice in field.choices[:100]
            ]
            element = {"type": "static_select", "action_id": field.name, "options": options}
            chosen = [o for o in options if o["value"] == field.initial]
            if chosen:
                element["initial_option"] = chosen[0]
            optional = False
        else:
            element = {
                "type": "plain_text_input",
                "action_id": field.name,
                "multiline": field.multiline,
                "max_length": field.max_length,
            }
            if field.placeholder:
                element["placeholder"] = {"type": "plain_text", "text": field.placeholder}
            if field.initial:
                element["initial_value"] = field.initial[: field.max_length]
            optional = field.optional
        inputs.append(
            {
                "type": "input",
                "block_id": field.name,
                "optional": optional,
                "label": {"type": "plain_text", "text": _truncate(field.label, 2000)},
                "element": element,
            }
        )
    view: Block = {
        "type": "modal",
        "callback_id": form.form_id,
        "title": {"type": "plain_text", "text": _truncate(form.title, MODAL_TITLE_LIMIT)},
        "submit": {"type": "plain_text", "text": _truncate(form.submit, MODAL_TITLE_LIMIT)},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": inputs,
    }
    if hidden:
        view["private_metadata"] = json.dumps(hidden, separators=(",", ":"))[:METADATA_LIMIT]
    return view


def form_answers(view: dict[str, Any]) -> dict[str, str]:
    """What a person entered in a submitted modal, by field name, with the form's hidden
    fields."""
    answers: dict[str, str] = {}
    try:
        hidden = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        hidden = {}
    if isinstance(hidden, dict):
        answers.update({str(name): str(value) for name, value in hidden.items()})
    values = (view.get("state") or {}).get("values") or {}
    for block_id, actions in values.items():
        for state in actions.values():
            if state.get("type") == "static_select":
                option = state.get("selected_option") or {}
                answers[block_id] = str(option.get("value", ""))
            else:
                answers[block_id] = str(state.get("value") or "")
    return answers
