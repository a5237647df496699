"""The playground's HTML: everything people typed is escaped, buttons carry their action."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.messages import (
    Bold,
    Bullets,
    Button,
    Buttons,
    ChatChannel,
    Choice,
    Code,
    Fields,
    Form,
    FormErrors,
    Heading,
    Link,
    Mention,
    Message,
    Paragraph,
    SelectField,
    TextField,
    text,
)
from handlers.local import demo
from handlers.local.chat import LocalDirectory
from handlers.local.playground import marked_up, stops_between
from handlers.local.render import message_html, message_text, reply_json

EVIL = '<img src=x onerror="alert(1)">&'
ESCAPED = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;"


def test_every_span_is_escaped_when_it_holds_markup() -> None:
    message = Message(
        "s",
        (
            Heading(EVIL),
            Paragraph(text(EVIL, Bold(EVIL), Code(EVIL), Mention("U1", EVIL), ChatChannel(EVIL))),
            Bullets((text(EVIL),)),
            Fields(((EVIL, text(EVIL)),)),
        ),
    )
    html = message_html(message)
    assert "<img" not in html
    assert html.count(ESCAPED) == 9
    assert f'<span class="mention">@{ESCAPED}</span>' in html
    assert f'<span class="chat-channel">#{ESCAPED}</span>' in html


def test_links_are_kept_only_when_they_are_web_addresses() -> None:
    html = message_html(
        Message.say(
            Link('https://example.org/?a=1&b="2"', "the <post>"),
            " ",
            Link("javascript:alert(1)", "click"),
        )
    )
    assert (
        '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;" rel="noopener noreferrer" '
        'target="_blank">the &lt;post&gt;</a>'
    ) in html
    assert "javascript:" not in html
    assert html.endswith(" click</p>")


def test_line_breaks_are_kept_when_a_paragraph_has_several_lines() -> None:
    assert message_html(Message.say("one\ntwo")) == "<p>one<br>two</p>"


def test_backticks_show_as_code_when_a_sentence_quotes_a_command() -> None:
    html = message_html(Message.say("Try `/duty posted <channel>` or `x` & `unclosed"))
    assert html == (
        "<p>Try <code>/duty posted &lt;channel&gt;</code> or <code>x</code> &amp; `unclosed</p>"
    )


def test_buttons_carry_their_action_and_value_when_rendered() -> None:
    message = Message(
        "Reminder",
        (Buttons((Button("Snooze 1 day", "snooze_day", '1,2"><b>', style="primary"),)),),
    )
    html = message_html(message)
    assert (
        '<button type="button" class="action primary" data-action="snooze_day" '
        'data-value="1,2&quot;&gt;&lt;b&gt;">Snooze 1 day</button>'
    ) in html
    assert reply_json(message)["buttons"] == [
        {"label": "Snooze 1 day", "action": "snooze_day", "value": '1,2"><b>'}
    ]
    assert message_text(message) == "[Snooze 1 day]"


def test_form_has_a_label_for_every_field_when_rendered() -> None:
    form = Form(
        "post_form",
        "Record <a> post",
        "Record",
        (
            SelectField("channel", "Outreach channel", (Choice("1", "<Twitter>"),), "1"),
            TextField("url", "Link", placeholder='"https://…"', max_length=500),
            TextField("note", "Note", multiline=True),
        ),
    )
    shown = reply_json(form)
    html = shown["html"]
    assert shown["kind"] == "form" and shown["fields"] == ["channel", "url", "note"]
    assert html.count("<label for=") == 3
    assert '<option value="1" selected>&lt;Twitter&gt;</option>' in html
    assert 'placeholder="&quot;https://…&quot;"' in html
    assert "<textarea" in html and 'maxlength="500"' in html
    assert "Record &lt;a&gt; post" in html
    assert reply_json(FormErrors({"url": "Fix <it>"})) == {
        "kind": "errors",
        "errors": {"url": "Fix <it>"},
    }


def test_typed_text_is_marked_up_as_a_chat_platform_would_send_it() -> None:
    directory = LocalDirectory(member.entry for member in demo.STAFF)
    channels = demo.CHAT_CHANNELS
    assert marked_up("swap @Ben", directory, channels) == "swap <@ben|ben>"
    assert marked_up("digest to #outreach", directory, channels) == (
        "digest to <#outreach|outreach>"
    )
    assert marked_up("<b> & @nobody #nowhere", directory, channels) == (
        "&lt;b&gt; &amp; @nobody #nowhere"
    )
    for untouched in ("ben@library.org", "https://mastodon.social/@ben/1", "page#outreach"):
        assert marked_up(untouched, directory, channels) == untouched


def test_clock_stops_at_each_days_stops_when_it_moves_a_day() -> None:
    start = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # a Friday
    stops = stops_between(start, datetime(2026, 12, 5, 10, 0, tzinfo=UTC), "Europe/London")
    assert [f"{s:%a %H:%M}" for s in stops] == ["Fri 11:00", "Fri 15:00", "Sat 09:05", "Sat 10:00"]
