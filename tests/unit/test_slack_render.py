"""Messages as Slack shows them: escaped, formatted, within Block Kit's limits."""

from __future__ import annotations

from bot.messages import Bold, Bullets, Code, Fields, Heading, Link, Mention, Message, Paragraph
from bot.messages import text as t
from handlers.slack.render import BLOCK_LIMIT, SECTION_LIMIT, blocks, mrkdwn


def test_user_text_cannot_ping_anyone_when_it_contains_slack_control_sequences() -> None:
    rendered = mrkdwn(t("note: <!channel> <@U123> & <https://evil.example|click>"))
    assert rendered == (
        "note: &lt;!channel&gt; &lt;@U123&gt; &amp; &lt;https://evil.example|click&gt;"
    )


def test_mentions_and_links_are_slack_markup_when_built_by_baton() -> None:
    rendered = mrkdwn(
        t(Mention("U0ADA", "ada"), " posted ", Link("https://x.org/a|b>", "a <b>"), Bold("x"))
    )
    assert rendered == "<@U0ADA> posted <https://x.org/a%7Cb%3E|a &lt;b&gt;>*x*"


def test_bold_and_code_apply_line_by_line_when_text_spans_lines() -> None:
    assert mrkdwn(t(Bold("one\ntwo"))) == "*one*\n*two*"
    assert mrkdwn(t(Code("a`b"))) == "`a'b`"


def test_long_lists_are_split_across_sections_without_losing_a_line_when_too_long() -> None:
    items = tuple(t(f"line {n:03} " + "x" * 90) for n in range(100))
    rendered = blocks(Message("list", (Heading("Many"), Bullets(items))))
    texts = [b["text"]["text"] for b in rendered if b["type"] == "section"]
    assert len(texts) > 1
    assert all(len(text) <= SECTION_LIMIT for text in texts)
    lines = "\n".join(texts).split("\n")
    assert [line[:10] for line in lines] == [f"• line {n:03}" for n in range(100)]


def test_message_stays_within_the_block_limit_and_says_so_when_it_has_too_many_blocks() -> None:
    message = Message("many", tuple(Paragraph(t(f"p{n}")) for n in range(80)))
    rendered = blocks(message)
    assert len(rendered) == BLOCK_LIMIT
    assert "more than fits" in rendered[-1]["text"]["text"]


def test_fields_are_grouped_ten_to_a_section_when_there_are_many() -> None:
    pairs = tuple((f"label {n}", t(f"value {n}")) for n in range(12))
    rendered = blocks(Message("fields", (Fields(pairs),)))
    assert [len(b["fields"]) for b in rendered] == [10, 2]
    assert rendered[0]["fields"][0]["text"] == "*label 0*\nvalue 0"
