"""Links in chat messages, and which outreach channel each is a post of."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.links import (
    can_match,
    channels_for,
    kind_matches,
    links_in,
    message_words,
    pattern_matches,
    posts_in,
)
from bot.domain.model import ChannelKind, OutreachChannel

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def channel(
    channel_id: int,
    name: str,
    kind: ChannelKind,
    match: str | None = None,
    *,
    archived: bool = False,
) -> OutreachChannel:
    return OutreachChannel(
        id=channel_id,
        workspace_id=1,
        name=name,
        kind=kind,
        quiet_after=timedelta(days=2),
        created_at=T0,
        match_pattern=match,
        archived=archived,
    )


TWITTER = channel(1, "Twitter", ChannelKind.TWITTER)
BLOG = channel(2, "Blog", ChannelKind.BLOG, "library.example.org/blog/")
NEWSLETTER = channel(3, "Newsletter", ChannelKind.NEWSLETTER)
MASTODON = channel(4, "Mastodon", ChannelKind.MASTODON, "glammr.us/@riverside")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Posted! <https://x.com/lib/status/1>", ["https://x.com/lib/status/1"]),
        ("<https://x.com/lib/status/1|x.com/lib/status/1> done", ["https://x.com/lib/status/1"]),
        ("see https://bsky.app/profile/lib/post/3k.", ["https://bsky.app/profile/lib/post/3k"]),
        ("(https://en.wikipedia.org/wiki/Foo_(bar))", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("<https://a.org/?a=1&amp;b=2>", ["https://a.org/?a=1&b=2"]),
        (
            "first https://b.org/1 then <https://a.org/2> and https://b.org/1 again",
            ["https://b.org/1", "https://a.org/2"],
        ),
        ("<mailto:ada@library.org|ada@library.org> <@U0ADA|ada> <#C0OUT|outreach>", []),
        ("no links here, just library.org", []),
        ("ftp://files.library.org/x", []),
    ],
)
def test_links_are_found_in_order_when_a_message_has_them(text: str, expected: list[str]) -> None:
    assert links_in(text) == expected


@pytest.mark.parametrize(
    ("pattern", "url"),
    [
        ("x.com/riversidelib", "https://x.com/riversidelib/status/1"),
        ("x.com/riversidelib", "https://twitter.com/RiversideLib/status/1"),
        ("x.com/riversidelib", "https://mobile.x.com/riversidelib"),
        ("https://www.x.com/riversidelib", "http://x.com/riversidelib"),
        ("library.example.org/blog/", "https://www.library.example.org/blog/2026/storytime"),
        ("library.example.org", "https://library.example.org/anything"),
        ("library.example.org/*/news", "https://library.example.org/en/news/1"),
        ("*.example.org/news", "https://branch.example.org/news/1"),
        ("riversidelib", "https://www.instagram.com/p/abc/?from=riversidelib"),
        ("glammr.us/@riverside", "https://glammr.us/@riverside/1133"),
    ],
)
def test_pattern_matches_when_the_link_starts_with_it(pattern: str, url: str) -> None:
    assert pattern_matches(pattern, url)


@pytest.mark.parametrize(
    ("pattern", "url"),
    [
        ("x.com/riversidelib", "https://x.com/riversidelibfriends/status/1"),
        ("x.com/riversidelib", "https://x.com/other/status/1"),
        ("x.com/riversidelib", "https://fox.com/riversidelib"),
        ("library.example.org/blog/", "https://library.example.org/events/"),
        ("library.example.org/blog/", "https://evil.example/library.example.org/blog/"),
        ("library.example.org/*/news", "https://library.example.org/en/events"),
        ("riversidelib", "https://x.com/riversidelibrary"),
    ],
)
def test_pattern_does_not_match_when_the_link_is_elsewhere(pattern: str, url: str) -> None:
    assert not pattern_matches(pattern, url)


@pytest.mark.parametrize(
    ("kind", "url", "expected"),
    [
        (ChannelKind.TWITTER, "https://x.com/a/status/1", True),
        (ChannelKind.TWITTER, "https://twitter.com/a/status/1", True),
        (ChannelKind.TWITTER, "https://notx.com/a", False),
        (ChannelKind.BLUESKY, "https://bsky.app/profile/a/post/b", True),
        (ChannelKind.FACEBOOK, "https://m.facebook.com/story.php?id=1", True),
        (ChannelKind.INSTAGRAM, "https://www.instagram.com/p/abc/", True),
        (ChannelKind.MASTODON, "https://mastodon.social/@a/1", False),
        (ChannelKind.BLOG, "https://library.example.org/blog/1", False),
    ],
)
def test_kind_matches_its_domains_when_there_is_no_pattern(
    kind: ChannelKind, url: str, expected: bool
) -> None:
    assert kind_matches(kind, url) is expected


def test_pattern_wins_over_domain_when_both_would_match() -> None:
    ours = channel(5, "Kids", ChannelKind.TWITTER, "x.com/riversidekids")

    assert channels_for("https://x.com/riversidekids/status/9", [TWITTER, ours]) == [ours]
    assert channels_for("https://x.com/someone/status/9", [TWITTER, ours]) == [TWITTER]


def test_no_channel_is_found_when_the_link_belongs_to_none() -> None:
    listed = [TWITTER, BLOG, NEWSLETTER, MASTODON]

    assert channels_for("https://example.com/cats", listed) == []
    assert channels_for("https://mastodon.social/@other/1", listed) == []


def test_archived_channels_are_left_out_when_matching() -> None:
    gone = channel(6, "Old Twitter", ChannelKind.TWITTER, archived=True)

    assert channels_for("https://x.com/a/status/1", [gone]) == []


def test_message_shows_one_post_per_channel_and_link_when_it_has_several() -> None:
    text = (
        "Storytime! <https://x.com/lib/status/1> and the write-up "
        "https://library.example.org/blog/storytime, plus https://example.com/unrelated "
        "and <https://x.com/lib/status/1> once more"
    )

    assert posts_in(text, [TWITTER, BLOG, NEWSLETTER]) == [
        (TWITTER, "https://x.com/lib/status/1"),
        (BLOG, "https://library.example.org/blog/storytime"),
    ]


def test_channels_that_cannot_be_recognised_are_told_apart_when_asked() -> None:
    assert can_match(TWITTER) and can_match(BLOG) and can_match(MASTODON)
    assert not can_match(NEWSLETTER)
    assert not can_match(channel(7, "Mastodon", ChannelKind.MASTODON))


def test_message_words_read_as_typed_when_links_and_mentions_are_in_them() -> None:
    text = "Photos <https://x.com/a|up now> for <@U0ADA|ada> in <#C0OUT|outreach> &amp; more\nok"

    assert message_words(text) == "Photos for @ada in #outreach & more ok"
    assert message_words("https://x.com/a/status/1") == ""
    assert message_words("word " * 100, limit=20) == "word word word word…"
