"""Access notes say where a login lives, never the login itself (§3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.access import secret_reason

ORDINARY_NOTES = [
    "library password manager → Social → Twitter",
    "Ask Sam; the login is in the red binder",
    "1Password vault 'Outreach'",
    "Bitwarden → Outreach → Instagram (shared with Sam and Priya)",
    "Shared Drive → Outreach/Logins-2026.docx",
    "Logins-2026-Q3.xlsx in the Outreach folder",
    r"KeePass file at \\fileserver\outreach\social2026.kdbx",
    "vault.example.org/item?id=12345",
    "https://vault.example.org/#/vault?itemId=8f14e45f-ceea-167a-5a36-dedd4bea2543",
    "1Password item 8f14e45f-ceea-167a-5a36-dedd4bea2543",
    "password: see the red binder",
    "Password: in 1Password",
    "the password is kept by Sam",
    "The password is changed monthly",
    "password manager: Bitwarden",
    "Login via library-social@example.org, password in LastPass",
    "social.media.team@library.example.org",
    "PIN is in the safe",
    "Ask the bearer of the master key, room 2.14",
    "pass: ask Sam",
    "token: ask IT",
    "",
]


@pytest.mark.parametrize("note", ORDINARY_NOTES)
def test_accepts_note_when_it_only_says_where_the_login_lives(note: str) -> None:
    assert secret_reason(note) is None


SECRETS: list[tuple[str, str]] = [
    ("password: hunter2", "a password"),
    ("Password:hunter2", "a password"),
    ("pw=hunter2", "a password"),
    ("pass: Tr0ub4dor", "a password"),
    ("login jane, pwd = letmein", "a password"),
    ("the password is hunter2", "a password"),
    ("PIN: 4832", "a password"),
    ("Password = 'correct horse battery staple'", "a password"),
    ("xoxb-1234567890-abcdefghij", "a Slack token"),
    ("xoxp-1234-5678-abcdefgh", "a Slack token"),
    ("ghp_abcdefghijklmnopqrstuvwxyz0123", "a GitHub token"),
    ("github_pat_11ABCDEFG0123456789_abcdefghijkl", "a GitHub token"),
    ("AKIAABCDEFGHIJKLMNOP", "an AWS access key"),
    ("Authorization: Bearer abc123def456ghi789", "a bearer token"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc", "a web token"),
    ("-----BEGIN RSA PRIVATE KEY-----", "a private key"),
    ("https://jane:s3cret@vault.example.org", "a password inside a web address"),
    ("kJ8#mQ2$vL9!pX4z", "looks like a password or key"),
    ("login is jane / Summer2026!Library", "looks like a password or key"),
    ("kJ8-mQ2-vL9-pX4z", "looks like a password or key"),
    ("Tr0ub4dor.3xample-p4ss", "looks like a password or key"),
]


@pytest.mark.parametrize(("note", "what"), SECRETS)
def test_refuses_note_when_it_contains_a_secret(note: str, what: str) -> None:
    reason = secret_reason(note)
    assert reason is not None
    assert what in reason


@pytest.mark.parametrize(("note", "_what"), SECRETS)
def test_says_where_to_write_instead_when_refusing(note: str, _what: str) -> None:
    reason = secret_reason(note) or ""
    assert "never keeps passwords" in reason
    assert "where the login lives" in reason


@pytest.mark.parametrize("secret", ["hunter2", "Tr0ub4dor", "kJ8#mQ2$vL9!pX4z"])
def test_never_repeats_the_secret_when_refusing(secret: str) -> None:
    reason = secret_reason(f"password: {secret}") or ""
    assert reason
    assert secret not in reason


@given(st.text(max_size=600))
def test_returns_reason_or_none_when_text_is_arbitrary(text: str) -> None:
    assert secret_reason(text) is None or isinstance(secret_reason(text), str)
