"""Platform-neutral messages as Teams activities: Adaptive Cards, with user text escaped."""

from __future__ import annotations

import re
import uuid
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
    FormErrors,
    Heading,
    HiddenField,
    Link,
    Mention,
    Message,
    Paragraph,
    Plain,
    SelectField,
    Text,
    plain_text,
)

CARD_VERSION = "1.5"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
PRESS = "press"
FORM = "form"
"""The `baton` key in a card's submitted data: a button press, or a filled-in form."""

Element = dict[str, Any]

_INLINE = re.compile(r"([\\`*_\[\]~])")
_LINE_MARK = re.compile(r"^(\s*)([-+#>])", re.MULTILINE)
_LINE_NUMBER = re.compile(r"^(\s*[0-9]+)\.", re.MULTILINE)


def escape(value: str) -> str:
    """Escape what Adaptive Card markdown would act on (emphasis, links, and lists or
    headings at the start of a line), so text typed by people shows as typed."""
    escaped = _INLINE.sub(r"\\\1", value)
    return _LINE_NUMBER.sub(r"\1\\.", _LINE_MARK.sub(r"\1\\\2", escaped))


def markdown(spans: Text) -> str:
    """Text as Adaptive Card markdown; every word that came from people escaped."""
    out: list[str] = []
    for span in spans:
        match span:
            case Plain(value):
                out.append(escape(_teams_words(value)))
            case Bold(value) | Code(value):
                out.append(_bold(escape(value)))
            case Link(url, label):
                safe_url = url.replace(" ", "%20").replace(")", "%29").replace("(", "%28")
                out.append(f"[{escape(label or url)}]({safe_url})")
            case Mention(_, name):
                out.append(_bold("@" + escape(name)))
            case ChatChannel(_):
                out.append("the Teams channel")
    return "".join(out)


_SLASH_COMMAND = re.compile(r"/duty(?:\s+|(?=`))")


def _teams_words(value: str) -> str:
    """In Teams commands are the words alone, sent to Baton: `/duty join` reads `join`."""
    return _SLASH_COMMAND.sub("", value)


def _bold(value: str) -> str:
    # Emphasis can't span lines, nor start or end with a space.
    lines: list[str] = []
    for line in value.split("\n"):
        core = line.strip()
        if not core:
            lines.append(line)
            continue
        start = line.index(core)
        lines.append(f"{line[:start]}**{core}**{line[start + len(core) :]}")
    return "\n".join(lines)


def card(message: Message) -> Element:
    """The message as an Adaptive Card."""
    body: list[Element] = []
    separate = False
    for block in message.blocks:
        element: Element | None = None
        match block:
            case Heading(value):
                element = _text(escape(value), size="Medium", weight="Bolder")
            case Paragraph(spans):
                element = _text(markdown(spans))
            case Bullets(items):
                element = _text("\r".join(f"- {markdown(item)}" for item in items))
            case Fields(pairs):
                element = {
                    "type": "FactSet",
                    "facts": [{"title": label, "value": markdown(value)} for label, value in pairs],
                }
            case Buttons(buttons):
                element = {
                    "type": "ActionSet",
                    "actions": [
                        {
                            "type": "Action.Submit",
                            "title": button.label,
                            "data": {
                                "baton": PRESS,
                                "action": button.action_id,
                                "value": button.value,
                            },
                            **({"style": _STYLES[button.style]} if button.style else {}),
                        }
                        for button in buttons
                    ],
                }
            case Divider():
                separate = True
        if element is not None:
            if separate and body:
                element["separator"] = True
            separate = False
            body.append(element)
    return _card(body)


_STYLES = {"primary": "positive", "danger": "destructive"}


def _text(value: str, **style: str) -> Element:
    return {"type": "TextBlock", "text": value, "wrap": True, **style}


def _card(body: list[Element], actions: list[Element] | None = None) -> Element:
    content: Element = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        content["actions"] = actions
    return content


def form_card(form: Form) -> Element:
    """A form as a card with inputs; its submit button sends the answers back under the
    form's id, with an id of its own so that pressing it twice counts once."""
    body: list[Element] = [_text(escape(form.title), size="Medium", weight="Bolder")]
    if form.intro:
        body.append(_text(markdown(form.intro)))
    hidden = {field.name: field.value for field in form.fields if isinstance(field, HiddenField)}
    for field in form.fields:
        if isinstance(field, HiddenField):
            continue
        if isinstance(field, SelectField):
            element: Element = {
                "type": "Input.ChoiceSet",
                "id": field.name,
                "label": field.label,
                "style": "compact",
                "isRequired": True,
                "errorMessage": f"Choose {field.label.lower()}.",
                "choices": [{"title": c.label, "value": c.value} for c in field.choices],
            }
            if field.initial is not None:
                element["value"] = field.initial
        else:
            element = {
                "type": "Input.Text",
                "id": field.name,
                "label": field.label,
                "isMultiline": field.multiline,
                "maxLength": field.max_length,
                "isRequired": not field.optional,
            }
            if field.placeholder:
                element["placeholder"] = field.placeholder
            if field.initial:
                element["value"] = field.initial
        body.append(element)
    submit = {
        "type": "Action.Submit",
        "title": form.submit,
        "style": "positive",
        "data": {
            **hidden,
            "baton": FORM,
            "form": form.form_id,
            "submission": uuid.uuid4().hex,
        },
    }
    return _card(body, [submit])


def errors_card(errors: FormErrors) -> Element:
    """What to fix in a form; the form's card stays as it was, to correct and send again."""
    lines = [f"- {escape(message)}" for message in errors.errors.values()]
    return _card(
        [
            _text("Nothing was saved yet. Please fix this and press the button again:"),
            _text("\r".join(lines)),
        ]
    )


def activity_payload(reply: Message | Form | FormErrors) -> dict[str, Any]:
    """A reply as the fields of a message activity: the card, and a summary for
    notifications."""
    if isinstance(reply, Form):
        content, summary = form_card(reply), reply.title
    elif isinstance(reply, FormErrors):
        content, summary = errors_card(reply), "Please fix the form"
    else:
        content, summary = card(reply), reply.summary or _first_line(reply)
    return {
        "type": "message",
        "summary": summary[:200],
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": content}],
    }


def _first_line(message: Message) -> str:
    for block in message.blocks:
        if isinstance(block, Paragraph):
            return plain_text(block.text)
    return "Baton"
