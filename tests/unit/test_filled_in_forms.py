"""A form opened filled in (from a chat message): its values, its line above the fields,
and the hidden fields it carries back, on each platform."""

from __future__ import annotations

import json

from bot.messages import Choice, Form, HiddenField, Mention, SelectField, TextField, text
from handlers.local.render import form_html
from handlers.slack.render import form_answers, form_view
from handlers.teams.render import form_card

EVIL = '<img src=x onerror="alert(1)">&'

FORM = Form(
    form_id="post_form",
    title="Record a post",
    submit="Record",
    fields=(
        SelectField("channel", "Outreach channel", (Choice("1", "Twitter"),), "1"),
        TextField("url", "Link to the post", initial="https://x.com/lib/status/1"),
        TextField("note", "Note", multiline=True, initial=EVIL),
        HiddenField("author", "U0BEN"),
        HiddenField("posted_at", "2026-11-30T09:30:00+00:00"),
    ),
    intro=text("From ", Mention("U0BEN", "ben"), "'s message <!channel>"),
)


def test_slack_modal_shows_the_values_and_keeps_hidden_ones_when_opened() -> None:
    view = form_view(FORM)

    intro, *inputs = view["blocks"]
    assert intro["text"]["text"] == "From <@U0BEN>'s message &lt;!channel&gt;"
    assert [block["block_id"] for block in inputs] == ["channel", "url", "note"]
    assert inputs[1]["element"]["initial_value"] == "https://x.com/lib/status/1"
    assert inputs[2]["element"]["initial_value"] == EVIL  # plain text input: shown as typed
    assert json.loads(view["private_metadata"]) == {
        "author": "U0BEN",
        "posted_at": "2026-11-30T09:30:00+00:00",
    }


def test_slack_answers_carry_the_hidden_fields_when_the_modal_is_submitted() -> None:
    view = {
        **form_view(FORM),
        "state": {
            "values": {
                "channel": {
                    "channel": {"type": "static_select", "selected_option": {"value": "1"}}
                },
                "url": {"url": {"type": "plain_text_input", "value": "https://x.com/lib/2"}},
                "note": {"note": {"type": "plain_text_input", "value": None}},
            }
        },
    }

    assert form_answers(view) == {
        "author": "U0BEN",
        "posted_at": "2026-11-30T09:30:00+00:00",
        "channel": "1",
        "url": "https://x.com/lib/2",
        "note": "",
    }
    assert form_answers({**view, "private_metadata": "not json"})["channel"] == "1"


def test_teams_card_fills_in_the_inputs_and_sends_hidden_fields_back_when_submitted() -> None:
    card = form_card(FORM)

    inputs = {element["id"]: element for element in card["body"] if "id" in element}
    assert set(inputs) == {"channel", "url", "note"}
    assert inputs["url"]["value"] == "https://x.com/lib/status/1"
    data = card["actions"][0]["data"]
    assert data["author"] == "U0BEN" and data["posted_at"] == "2026-11-30T09:30:00+00:00"
    assert data["form"] == "post_form"


def test_playground_form_escapes_the_values_and_hides_the_hidden_fields_when_shown() -> None:
    html = form_html(FORM)

    assert 'value="https://x.com/lib/status/1"' in html
    assert EVIL not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;" in html
    assert '<input type="hidden" name="author" value="U0BEN">' in html
    assert "@ben" in html
