"""Telling a note about where a login lives from the login itself (§3). Standard library only.

Baton never stores a password. `secret_reason` is the check behind that promise: it refuses
text that carries a password, token or key, and lets through notes that only say where the
login is kept ("library password manager → Social → Twitter").
"""

from __future__ import annotations

import re
import string

_ADVICE = (
    "Baton never keeps passwords or tokens: write where the login lives instead, "
    "like “library password manager → Social → Twitter”."
)

_TOKENS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\bxox[abeprs]-[A-Za-z0-9-]{8,}"), "a Slack token"),
    (re.compile(r"\bxapp-[A-Za-z0-9-]{8,}"), "a Slack token"),
    (
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"),
        "a GitHub token",
    ),
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), "an AWS access key"),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{30,}"), "a Google API key"),
    (
        re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|\bsk-[A-Za-z0-9_-]{20,}"),
        "an API key",
    ),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\."), "a web token"),
    (
        re.compile(r"\bbearer\s+(?=\S*[0-9])[A-Za-z0-9._~+/=-]{12,}", re.IGNORECASE),
        "a bearer token",
    ),
    (
        re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@]+:[^\s/@]+@", re.IGNORECASE),
        "a password inside a web address",
    ),
)

# "password: hunter2", "pw=hunter2", "the password is hunter2!"
_LABELLED = re.compile(
    r"\b(?:passwords?|passwd|passcode|passphrase|pass|pwd|pw|pin|secret|api[ _-]?key|token)"
    r"\s*(?P<how>[:=]|\bis\b)\s*(?P<value>\S+)",
    re.IGNORECASE,
)

# Words that follow "password:" in a note about where the password is, not in the password.
_NOT_A_VALUE = frozenset(
    [
        "a",
        "an",
        "the",
        "in",
        "on",
        "at",
        "see",
        "ask",
        "kept",
        "stored",
        "saved",
        "held",
        "with",
        "from",
        "under",
        "via",
        "is",
        "are",
        "our",
        "my",
        "your",
        "their",
        "his",
        "her",
        "its",
        "shared",
        "managed",
        "lives",
        "written",
        "behind",
        "inside",
        "not",
        "none",
        "n/a",
        "na",
        "same",
        "unknown",
        "tbd",
        "changed",
        "reset",
        "rotated",
        "locked",
        "secure",
        "safe",
        "available",
        "handled",
        "by",
        "known",
        "only",
        "also",
        "1password",
        "lastpass",
        "bitwarden",
        "keepass",
        "keepassxc",
        "dashlane",
        "keeper",
        "vault",
        "manager",
        "binder",
        "sheet",
        "drive",
        "folder",
        "library",
        "office",
        "desk",
    ]
)

_URL_OR_PATH = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.)\S*"
    r"|(?:[a-z0-9-]+\.)+[a-z]{2,}(?:[/?#]\S*)?"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SEPARATORS = re.compile(r"[./\\\-_:]+")
_PLAIN_SEPARATORS = frozenset("./\\-_:")
_WRAPPING = "\"'“”‘’()[]{}<>,;"


def secret_reason(text: str) -> str | None:
    """Why `text` must not be stored because it looks like a password or token; None if fine."""
    for pattern, what in _TOKENS:
        if pattern.search(text):
            return _refusal(what)
    for match in _LABELLED.finditer(text):
        if _is_value(match.group("value"), after_is=match.group("how").lower() == "is"):
            return _refusal("a password")
    if any(_looks_random(word) for word in text.split()):
        return _refusal("something that looks like a password or key")
    return None


def _refusal(what: str) -> str:
    return f"That note seems to contain {what}. {_ADVICE}"


def _is_value(word: str, *, after_is: bool) -> bool:
    """Whether the word after "password:" is the password rather than more of the sentence."""
    word = word.strip(_WRAPPING + ".!?")
    if not any(ch.isalnum() for ch in word) or word.lower() in _NOT_A_VALUE:
        return False
    # "the password is changed monthly" is a sentence; "the password is hunter2" is not.
    return not after_is or any(not ch.isalpha() for ch in word)


def _looks_random(word: str) -> bool:
    """A long run of letters, digits and symbols that reads like a generated password."""
    word = word.strip(_WRAPPING)
    if len(word) < 16 or _URL_OR_PATH.fullmatch(word) or _EMAIL.fullmatch(word):
        return False
    has_letter = any(ch.isalpha() for ch in word)
    has_digit = any(ch in string.digits for ch in word)
    symbols = {ch for ch in word if ch in string.punctuation}
    if not (has_letter and has_digit and symbols):
        return False
    if symbols - _PLAIN_SEPARATORS:
        return True
    # Only path-like separators: a file or folder name unless its parts are jumbled.
    jumbled = [part for part in _SEPARATORS.split(word) if _letter_digit_changes(part) > 0]
    return len(jumbled) >= 3 or any(_letter_digit_changes(part) >= 2 for part in jumbled)


def _letter_digit_changes(part: str) -> int:
    kinds = ["digit" if ch in string.digits else "letter" for ch in part if ch.isalnum()]
    return sum(1 for before, after in zip(kinds, kinds[1:], strict=False) if before != after)
