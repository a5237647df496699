"""The Teams app package: `manifest.json` and two icons in a zip, uploaded to Teams (Apps →
Manage your apps → Upload an app) or to the Teams admin center."""

from __future__ import annotations

import json
import re
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

MANIFEST_VERSION = "1.19"
SCHEMA_URL = (
    f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/"
    "MicrosoftTeams.schema.json"
)
ACCENT = (0x1F, 0x5C, 0x99)
"""Baton's blue."""

COMMANDS: tuple[tuple[str, str], ...] = (
    ("help", "What I can do for you"),
    ("join", "Go on the posting rota"),
    ("who", "Who is on duty now, and the next three shifts"),
    ("posted", "Record a post: posted <channel> [link] [note], or a form"),
    ("channels", "Every outreach channel: last post, days quiet, stewards"),
    ("schedule", "The next shifts: schedule [N]"),
    ("away", "Time off: away 2026-12-21 2026-12-31, away list"),
    ("swap", "Ask someone to swap your next shift: swap @person"),
    ("skip", "Pass your current shift to the next person"),
    ("leave", "Come off the rota"),
)
"""The commands Teams suggests as people type (at most ten per list)."""

_HOST = re.compile(
    r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    r"(?::[0-9]{1,5})?"
)


class PackageError(ValueError):
    """Something needed for the package is missing or wrong; the message says what to do."""


@dataclass(frozen=True, slots=True)
class PackageDetails:
    """What goes into the package besides Baton's own description."""

    app_id: str
    host: str
    developer: str = "Baton"
    website: str | None = None
    privacy_url: str | None = None
    terms_url: str | None = None


def check(details: PackageDetails) -> None:
    """Refuse details Teams would refuse, with a sentence saying what to give instead."""
    try:
        uuid.UUID(details.app_id)
    except ValueError:
        raise PackageError(
            f"{details.app_id!r} isn't a Microsoft App ID: it is a GUID like "
            "00000000-0000-0000-0000-000000000000 (Azure portal → your bot's app "
            "registration → Application (client) ID)."
        ) from None
    if not _HOST.fullmatch(details.host):
        raise PackageError(
            f"{details.host!r} isn't a host name: give the public name Baton is served on, "
            "without https:// or a path, like baton.library.org."
        )
    if not 1 <= len(details.developer) <= 32:
        raise PackageError("The developer's name must be 1 to 32 characters long.")
    for label, url in (
        ("--website", details.website),
        ("--privacy-url", details.privacy_url),
        ("--terms-url", details.terms_url),
    ):
        if url is not None and not url.lower().startswith("https://"):
            raise PackageError(f"{label} must be an https:// address, not {url!r}.")


def manifest(details: PackageDetails) -> dict[str, Any]:
    """The app manifest (schema v1.19) for a Baton served at `details.host`."""
    check(details)
    home = details.website or f"https://{details.host}/"
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": _version(),
        "id": details.app_id,
        "developer": {
            "name": details.developer,
            "websiteUrl": home,
            "privacyUrl": details.privacy_url or f"https://{details.host}/#privacy",
            "termsOfUseUrl": details.terms_url or f"https://{details.host}/#terms",
        },
        "name": {"short": "Baton", "full": "Baton: shared posting duty"},
        "description": {
            "short": "Share your library's social-media posting duty fairly among staff.",
            "full": (
                "Baton keeps your library's outreach channels (social media, the blog, the "
                "newsletter) alive without leaning on one enthusiast. Staff opt in to a fair "
                "rota; whoever is on duty is told when their shift starts and nudged when a "
                "channel goes quiet; everyone records what they posted with a word or a "
                "card; and directors get a weekly digest of channel health, participation "
                "and continuity risks. Send Baton `help` in a chat, or mention it in a "
                "team's channel."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": details.app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal", "team", "groupChat"],
                        "commands": [
                            {"title": title, "description": description}
                            for title, description in COMMANDS
                        ],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [details.host.split(":", 1)[0]],
    }


def _version() -> str:
    try:
        version = metadata.version("baton")
    except metadata.PackageNotFoundError:
        return "1.0.0"
    parts = (version.split("+", 1)[0].split(".") + ["0", "0"])[:3]
    return ".".join(part if part.isdigit() else "0" for part in parts)


def write(details: PackageDetails, out: Path) -> Path:
    """Write the package to `out` (a .zip file); its path."""
    content = manifest(details)
    if not out.parent.is_dir():
        raise PackageError(f"There is no folder {str(out.parent)!r} to write the package in.")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(content, indent=2, ensure_ascii=False))
        package.writestr("color.png", color_icon())
        package.writestr("outline.png", outline_icon())
    return out


# -- icons ----------------------------------------------------------------------------------

Pixel = tuple[int, int, int, int]


def _png(size: int, paint: Callable[[float, float], Pixel]) -> bytes:
    """An RGBA PNG of `size`×`size`, each pixel painted from its centre (0..1 coordinates)."""
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # no filter
        for x in range(size):
            rows.extend(paint((x + 0.5) / size, (y + 0.5) / size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _on_baton(x: float, y: float) -> bool:
    """A relay baton: a bar from lower left to upper right, with rounded ends."""
    ax, ay, bx, by = 0.27, 0.73, 0.73, 0.27
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    px, py = ax + t * dx - x, ay + t * dy - y
    return px * px + py * py <= 0.095**2


def color_icon() -> bytes:
    """192×192: a white baton on Baton's blue."""
    white: Pixel = (255, 255, 255, 255)
    blue: Pixel = (*ACCENT, 255)
    return _png(192, lambda x, y: white if _on_baton(x, y) else blue)


def outline_icon() -> bytes:
    """32×32: the baton in white on transparent, as Teams asks."""
    return _png(32, lambda x, y: (255, 255, 255, 255) if _on_baton(x, y) else (0, 0, 0, 0))
