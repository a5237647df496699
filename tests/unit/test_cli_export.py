"""`python -m bot export` and `python -m bot import`, as whoever runs Baton uses them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.model import PostSource
from storage.migrate import upgrade
from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for
from tests.storage.seed import T0, add_channel, add_person


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder (no `.env`), with DATABASE_URL pointing at `source.db` in it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'source.db'}")
    return tmp_path


def library(url: str) -> None:
    """Two workspaces: one with a post, one empty."""
    upgrade(url)
    engine = create_engine_for(url)
    try:
        with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
            town = uow.workspaces.add("slack", "T0TOWN", "Town Library")
            uow.workspaces.add("teams", "tenant-2", "Hill Branch")
            ann = add_person(uow, town.id, "U0ANN", "Ann")
            twitter = add_channel(uow, town.id, "Twitter")
            uow.posts.add(
                town.id,
                channel_id=twitter.id,
                author_id=ann.id,
                posted_at=T0,
                source=PostSource.MANUAL,
                recorded_by_id=ann.id,
                recorded_at=T0,
                url="https://x.com/town/status/1",
                note="=SUM(A1)",
            )
            uow.commit()
    finally:
        engine.dispose()


def use_database(monkeypatch: pytest.MonkeyPatch, path: Path) -> str:
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_csv_export_writes_a_folder_per_workspace_when_asked(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library(f"sqlite:///{folder / 'source.db'}")

    assert main(["export", "--format", "csv", "out"]) == 0

    said = capsys.readouterr().out
    assert "Wrote out/town-library/ for Town Library (slack)" in said
    assert "with 1 post, 0 shifts and 0 reminders" in said
    assert sorted(p.name for p in (folder / "out").iterdir()) == ["hill-branch", "town-library"]
    text = (folder / "out" / "town-library" / "posts.csv").read_bytes().decode("utf-8-sig")
    (post,) = csv.DictReader(io.StringIO(text, newline=""))
    assert (post["Author"], post["Note"]) == ("Ann", "'=SUM(A1)")
    assert (folder / "out" / "hill-branch" / "reminders.csv").exists()


def test_json_export_is_imported_into_a_new_database_when_moved(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    library(f"sqlite:///{folder / 'source.db'}")
    assert main(["export", "--format", "json", "backup"]) == 0
    assert "Wrote backup/baton-export.json" in capsys.readouterr().out
    written = folder / "backup" / "baton-export.json"
    assert written.stat().st_mode & 0o777 == 0o600  # private links are in it: owner only

    target = use_database(monkeypatch, folder / "target.db")
    assert main(["import", "backup/baton-export.json"]) == 0

    assert "Imported" in capsys.readouterr().out
    assert main(["export", "--format", "json", "again"]) == 0
    first = json.loads((folder / "backup" / "baton-export.json").read_text(encoding="utf-8"))
    second = json.loads((folder / "again" / "baton-export.json").read_text(encoding="utf-8"))
    assert first["tables"] == second["tables"]
    assert target.endswith("target.db")


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (None, "There is no file at missing.json. Give the path of a JSON export."),
        (b'{"format": "baton-export", "tables": [', "isn't valid JSON"),
        (b"\xff\xfe\x00garbage", "it isn't text"),
        (b'{"hello": "world"}', "isn't a Baton JSON export"),
        (
            b'{"format": "baton-export", "format_version": 1, "tables": {}}',
            "missing its schema revision or its tables",
        ),
        (
            b'{"format": "baton-export", "format_version": 1, "schema_revision": "0006",'
            b' "tables": {"posts": {"columns": ["id"], "rows": [[1, 2]]}}}',
            "damaged: table 'posts'",
        ),
        (
            b'{"format": "baton-export", "format_version": 1, "schema_revision": "9999",'
            b' "tables": {}}',
            "it comes from a newer Baton",
        ),
    ],
)
def test_import_refuses_and_writes_nothing_when_the_file_is_not_a_usable_export(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    sentence: str,
) -> None:
    use_database(monkeypatch, folder / "target.db")
    if content is not None:
        (folder / "missing.json").write_bytes(content)

    assert main(["import", "missing.json"]) == 2

    said = capsys.readouterr()
    assert sentence in said.err
    assert said.err.rstrip().endswith("Nothing was imported.")
    assert "Traceback" not in said.err
    assert not (folder / "target.db").exists()


def test_import_refuses_a_database_that_holds_records_when_asked(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library(f"sqlite:///{folder / 'source.db'}")
    assert main(["export", "--format", "json", "backup"]) == 0
    capsys.readouterr()

    assert main(["import", "backup/baton-export.json"]) == 2

    said = capsys.readouterr().err
    assert "The database already holds records (2 in workspaces, 1 in outreach_channels," in said
    assert "create a new one, point DATABASE_URL at it and import again" in said
    assert main(["export", "--format", "json", "again"]) == 0
    first = json.loads((folder / "backup" / "baton-export.json").read_text(encoding="utf-8"))
    second = json.loads((folder / "again" / "baton-export.json").read_text(encoding="utf-8"))
    assert first["tables"] == second["tables"]


def test_export_refuses_a_file_where_the_folder_should_be(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "taken").write_text("not a folder", encoding="utf-8")

    assert main(["export", "--format", "csv", "taken"]) == 2

    assert "taken is a file: give the folder to write the export in." in capsys.readouterr().err
