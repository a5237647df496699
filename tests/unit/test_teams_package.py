"""`python -m bot teams-package` builds an app package Teams accepts."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from bot.cli import main

REPO = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO.parent / "shared" / "reference" / "teams" / "manifest-schema"
APP_ID = "0f1e2d3c-0000-4000-8000-00000000abcd"


def build(tmp_path: Path, *extra: str) -> tuple[int, Path]:
    out = tmp_path / "baton-teams.zip"
    status = main(["teams-package", "--host", "baton.library.org", "--out", str(out), *extra])
    return status, out


def pixels(png: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and RGBA pixels of an unfiltered 8-bit RGBA PNG."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert (depth, colour) == (8, 6)
    data, at = b"", 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        if png[at + 4 : at + 8] == b"IDAT":
            data += png[at + 8 : at + 8 + length]
        at += 12 + length
    raw = zlib.decompress(data)
    stride = 1 + 4 * width
    found = [
        tuple(raw[row * stride + 1 + 4 * x : row * stride + 5 + 4 * x])
        for row in range(height)
        for x in range(width)
    ]
    return width, height, found


def test_package_is_valid_against_the_teams_schema_when_built_with_an_app_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.chdir(tmp_path)
    status, out = build(tmp_path)
    assert status == 0
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest: dict[str, Any] = json.loads(package.read("manifest.json"))
        color, outline = package.read("color.png"), package.read("outline.png")
    schema_file = SCHEMA_DIR / f"MicrosoftTeams.schema.v{manifest['manifestVersion']}.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    errors = sorted(Draft7Validator(schema).iter_errors(manifest), key=str)
    assert errors == []
    assert manifest["id"] == APP_ID
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    titles = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert {"help", "join", "who", "posted", "channels"} <= set(titles)
    assert manifest["validDomains"] == ["baton.library.org"]
    assert manifest["developer"]["privacyUrl"] == "https://baton.library.org/#privacy"

    width, height, colour_pixels = pixels(color)
    assert (width, height) == (192, 192)
    assert all(p[3] == 255 for p in colour_pixels)  # full colour, no transparency
    width, height, outline_pixels = pixels(outline)
    assert (width, height) == (32, 32)
    # White on transparent, as Teams requires of the outline icon.
    assert set(outline_pixels) == {(255, 255, 255, 255), (0, 0, 0, 0)}


def test_app_id_option_wins_over_the_setting_when_both_are_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.chdir(tmp_path)
    other = "11111111-2222-4333-8444-555555555555"
    status, out = build(tmp_path, "--app-id", other)
    assert status == 0
    with zipfile.ZipFile(out) as package:
        assert json.loads(package.read("manifest.json"))["bots"][0]["botId"] == other


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ((), "Application (client) ID"),
        (("--app-id", "not-a-guid"), "isn't a Microsoft App ID"),
        (("--app-id", APP_ID, "--website", "http://library.org"), "must be an https://"),
        (("--app-id", APP_ID, "--developer", "x" * 40), "1 to 32 characters"),
    ],
)
def test_bad_input_is_explained_and_writes_nothing_when_the_package_cannot_be_built(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: tuple[str, ...],
    says: str,
) -> None:
    monkeypatch.delenv("TEAMS_APP_ID", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    status, out = build(tmp_path, *extra)
    assert status == 2
    assert says in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("host", ["https://baton.library.org", "baton.library.org/api", "baton"])
def test_host_with_a_scheme_or_path_is_refused_when_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], host: str
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "p.zip"
    status = main(["teams-package", "--app-id", APP_ID, "--host", host, "--out", str(out)])
    assert status == 2
    assert "isn't a host name" in capsys.readouterr().err
    assert not out.exists()


def test_missing_folder_is_named_when_the_output_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "nowhere" / "p.zip"
    status = main(
        ["teams-package", "--app-id", APP_ID, "--host", "baton.library.org", "--out", str(out)]
    )
    assert status == 2
    assert "There is no folder" in capsys.readouterr().err
