"""`python -m bot`: what an IT person sees when setting Baton up."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run_bot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BATON_"))}
    clean.pop("DATABASE_URL", None)
    clean["PYTHONPATH"] = str(REPO)
    clean.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_migrate_creates_the_sqlite_database_when_run_in_an_empty_folder(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert "Database is up to date" in result.stdout
    with sqlite3.connect(tmp_path / "baton.db") as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert {"workspaces", "people", "outreach_channels", "shifts", "posts"} <= tables


def test_serve_starts_the_playground_and_hints_at_slack_when_no_slack_credentials_are_set(
    tmp_path: Path,
) -> None:
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BATON_"))}
    clean.pop("DATABASE_URL", None)
    clean.update({"PYTHONPATH": str(REPO), "BATON_PORT": str(port)})
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp_path,
        env=clean,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    said: list[str] = []
    watchdog = threading.Timer(60, process.kill)  # a server that never listens fails the test
    watchdog.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:  # the server says when it listens
            said.append(line)
            if "listening on" in line:
                break
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as page:  # noqa: S310
            assert page.status == 200
            assert "Baton playground" in page.read().decode()
    finally:
        watchdog.cancel()
        process.terminate()
        process.wait(timeout=30)
    output = "".join(said)
    assert "Baton serves its local playground" in output
    assert f"playground is listening on http://127.0.0.1:{port}/" in output
    assert "SLACK_BOT_TOKEN" in output and "SLACK_SIGNING_SECRET" in output
    assert "api.slack.com/apps" in output
    assert (tmp_path / "baton.db").exists()


def test_serve_names_the_missing_settings_when_only_some_slack_credentials_are_set(
    tmp_path: Path,
) -> None:
    result = run_bot(tmp_path, "serve", SLACK_SIGNING_SECRET="0123456789abcdef0123456789abcdef")
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "SLACK_SIGNING_SECRET" not in result.stderr
    assert "api.slack.com/apps" in result.stderr
    assert "playground" not in result.stderr


def test_serve_names_the_app_id_when_only_a_teams_secret_is_set(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "serve", TEAMS_APP_PASSWORD="a-client-secret-for-tests")
    assert result.returncode == 2
    assert "Baton can't connect to Teams yet" in result.stderr
    assert "TEAMS_APP_ID" in result.stderr
    assert "TEAMS_APP_PASSWORD" not in result.stderr
    assert "playground" not in result.stderr


def test_serve_asks_only_for_the_bot_token_when_socket_mode_is_configured(
    tmp_path: Path,
) -> None:
    result = run_bot(tmp_path, "serve", SLACK_APP_TOKEN="xapp-1-A0-secretvalue")
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "SLACK_SIGNING_SECRET" not in result.stderr
    assert "secretvalue" not in result.stderr + result.stdout


def test_placeholder_token_is_refused_with_the_setting_named_when_copied_from_the_example(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-your-bot-token\n")
    result = run_bot(tmp_path, "serve")
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "placeholder" in result.stderr


def test_help_lists_the_commands_when_asked(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "--help")
    assert result.returncode == 0
    assert "serve" in result.stdout and "migrate" in result.stdout


def test_unknown_log_level_is_refused_with_the_setting_named_when_mistyped(
    tmp_path: Path,
) -> None:
    result = run_bot(tmp_path, "migrate", BATON_LOG_LEVEL="verbose")
    assert result.returncode == 2
    assert "BATON_LOG_LEVEL" in result.stderr
    assert "DEBUG, INFO, WARNING, ERROR" in result.stderr


def test_jobs_run_refuses_a_moment_without_a_timezone_when_given_one(tmp_path: Path) -> None:
    result = run_bot(
        tmp_path,
        "jobs",
        "run",
        "quiet-check",
        "--now",
        "2026-12-01T09:00",
        SLACK_BOT_TOKEN="xoxb-test",
    )
    assert result.returncode == 2
    assert "with its timezone" in result.stderr


def test_jobs_run_reports_what_it_sent_when_run_at_a_given_moment(tmp_path: Path) -> None:
    result = run_bot(
        tmp_path,
        "jobs",
        "run",
        "handoff",
        "--now",
        "2026-12-07T09:05:00+00:00",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_API_URL="http://127.0.0.1:9/api/",
    )
    assert result.returncode == 0, result.stderr
    assert "handoff: 0 messages sent at 2026-12-07T09:05:00+00:00" in result.stdout


def test_jobs_run_knows_the_digest_when_asked_to_run_it(tmp_path: Path) -> None:
    result = run_bot(
        tmp_path,
        "jobs",
        "run",
        "digest",
        "--now",
        "2026-12-04T15:00:00+00:00",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_API_URL="http://127.0.0.1:9/api/",
    )
    assert result.returncode == 0, result.stderr
    assert "digest: 0 messages sent at 2026-12-04T15:00:00+00:00" in result.stdout
