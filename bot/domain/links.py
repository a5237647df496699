"""Links in chat messages, and which outreach channel a link is a post of (§7). Standard
library only.

A channel's `match=` pattern is the start of its posts' addresses, written without
`https://` or `www.`: `x.com/ourlibrary` matches `https://x.com/ourlibrary/status/1` and
`https://mobile.x.com/OurLibrary`, but not `https://x.com/ourlibraryfriends` (a pattern
ending in a letter or digit ends a word there). `*` stands for anything:
`library.org/*/news`. A pattern with no domain in it (`ourlibrary`) is looked for anywhere in
the address. A channel without a pattern matches by the domain its kind implies (Twitter:
x.com and twitter.com); a pattern, where one matches, wins over a domain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from bot.domain.model import ChannelKind, OutreachChannel

KIND_DOMAINS: dict[ChannelKind, tuple[str, ...]] = {
    ChannelKind.TWITTER: ("x.com", "twitter.com"),
    ChannelKind.BLUESKY: ("bsky.app",),
    ChannelKind.FACEBOOK: ("facebook.com", "fb.com", "fb.watch"),
    ChannelKind.INSTAGRAM: ("instagram.com",),
}
"""The domains a kind's posts live on. Mastodon has no one home (every server is its own),
so a Mastodon channel, like a blog or a newsletter, needs a `match=` pattern."""

_TWINS = (("x.com", "twitter.com"), ("twitter.com", "x.com"))
"""Domains that are one site under two names: a pattern for one matches the other."""

URL_LIMIT = 2000

_SLACK_MARKUP = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")
_BARE_URL = re.compile(r"https?://[^\s<>\"|]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\")]}"
_WORD = re.compile(r"\w")


def _unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _usable(url: str) -> bool:
    if len(url) > URL_LIMIT or not url.isprintable():
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def links_in(text: str) -> list[str]:
    """The http(s) addresses in a chat message, in order, each once.

    Understands Slack's `<https://…>` and `<https://…|label>` forms as well as addresses
    typed plainly; punctuation after a plain address (a full stop, a closing bracket) is
    not part of it.
    """
    found: list[str] = []

    def keep(url: str) -> None:
        if _usable(url) and url not in found:
            found.append(url)

    def plain(segment: str) -> None:
        for match in _BARE_URL.finditer(_unescape(segment)):
            url = match.group(0)
            while url and url[-1] in _TRAILING:
                if url[-1] == ")" and url.count("(") >= url.count(")"):
                    break
                url = url[:-1]
            keep(url)

    last = 0
    for match in _SLACK_MARKUP.finditer(text):
        plain(text[last : match.start()])
        last = match.end()
        if not match.group(1):
            keep(_unescape(match.group(2)).strip())
    plain(text[last:])
    return found


def message_words(text: str, limit: int = 300) -> str:
    """What a chat message says, links left out: Slack's mentions as `@name` and `#name`,
    on one line, at most `limit` characters."""

    def readable(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil in ("@", "#"):
            return f"{sigil}{label or target}"
        if sigil == "!":
            return label or f"@{target}"
        return " "

    words = _BARE_URL.sub(" ", _unescape(_SLACK_MARKUP.sub(readable, text)))
    words = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in words)
    words = " ".join(words.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _address(url: str) -> tuple[str, str] | None:
    """A link's host (lower case, without `www.`) and the rest of it (path, query, fragment)."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if not host:
        return None
    host = host.removeprefix("www.")
    rest = parts.path or "/"
    if parts.query:
        rest += "?" + parts.query
    if parts.fragment:
        rest += "#" + parts.fragment
    return host, rest


def _on_host(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _bare_pattern(pattern: str) -> str:
    value = pattern.strip()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value, flags=re.IGNORECASE)
    return re.sub(r"^www\.", "", value, flags=re.IGNORECASE)


def pattern_matches(pattern: str, url: str) -> bool:
    """Whether `url` is a post of a channel with this `match=` pattern (see the module's
    docstring for what a pattern means)."""
    address = _address(url)
    bare = _bare_pattern(pattern)
    if address is None or not bare:
        return False
    host, rest = address
    whole = host + rest
    if "*" in bare:
        regex = ".*".join(re.escape(part) for part in bare.split("*"))
        return re.match(regex, whole, re.IGNORECASE) is not None or any(
            re.match(regex, whole[i + 1 :], re.IGNORECASE) for i in _dots(host)
        )
    pattern_host, slash, pattern_rest = bare.partition("/")
    pattern_host = pattern_host.lower().rstrip(".")
    if "." not in pattern_host:
        return _ends_a_word(whole.casefold(), bare.casefold(), anywhere=True)
    hosts = {pattern_host} | {twin for one, twin in _TWINS if pattern_host == one}
    if not any(_on_host(host, candidate) for candidate in hosts):
        return False
    if not slash or not pattern_rest:
        return True
    return _ends_a_word(rest.casefold(), ("/" + pattern_rest).casefold(), anywhere=False)


def _dots(host: str) -> Iterable[int]:
    return (i for i, ch in enumerate(host) if ch == ".")


def _ends_a_word(value: str, wanted: str, *, anywhere: bool) -> bool:
    """`wanted` at the start of `value` (or anywhere in it), not cut off mid-word."""
    start = value.find(wanted) if anywhere else (0 if value.startswith(wanted) else -1)
    while start >= 0:
        end = start + len(wanted)
        if not _WORD.match(wanted[-1]) or end == len(value) or not _WORD.match(value[end]):
            return True
        if not anywhere:
            return False
        start = value.find(wanted, start + 1)
    return False


def kind_matches(kind: ChannelKind, url: str) -> bool:
    """Whether `url` is on a domain where posts of this kind live."""
    address = _address(url)
    if address is None:
        return False
    return any(_on_host(address[0], domain) for domain in KIND_DOMAINS.get(kind, ()))


def channels_for(url: str, channels: Iterable[OutreachChannel]) -> list[OutreachChannel]:
    """The outreach channels `url` is a post of: those whose pattern matches it, or, when
    none does, those without a pattern whose kind's domain it is on."""
    listed = [channel for channel in channels if not channel.archived]
    by_pattern = [
        channel
        for channel in listed
        if channel.match_pattern and pattern_matches(channel.match_pattern, url)
    ]
    if by_pattern:
        return by_pattern
    return [
        channel
        for channel in listed
        if not channel.match_pattern and kind_matches(channel.kind, url)
    ]


def posts_in(text: str, channels: Sequence[OutreachChannel]) -> list[tuple[OutreachChannel, str]]:
    """The posts a chat message shows: each link in it with each channel it is a post of."""
    return [(channel, url) for url in links_in(text) for channel in channels_for(url, channels)]


def can_match(channel: OutreachChannel) -> bool:
    """Whether any link could ever be matched to the channel: it has a pattern, or its kind
    implies a domain."""
    return bool(channel.match_pattern) or channel.kind in KIND_DOMAINS
