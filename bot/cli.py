"""`python -m bot`: serve, migrate, run jobs, export and import."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from datetime import datetime

from pydantic import ValidationError

from bot.settings import Settings


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        lines = [f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
        sys.stderr.write("Baton's settings need fixing (.env or the environment):\n")
        sys.stderr.write("\n".join(lines) + "\n")
        raise SystemExit(2) from None


def migrate(settings: Settings) -> int:
    from storage.migrate import current_revision, upgrade

    upgrade(settings.database_url)
    sys.stdout.write(
        f"Database is up to date (revision {current_revision(settings.database_url)}).\n"
    )
    return 0


_CREATE_APP = (
    "Create the app from manifests/slack-http.json (or slack-socket.json) at "
    "https://api.slack.com/apps → Create New App → From a manifest.\n"
)


def _teams_missing(lines: list[str]) -> str:
    return (
        "Baton can't connect to Teams yet. Put these in .env (see .env.example) or the "
        "environment:\n" + "".join(f"  - {line}\n" for line in lines)
    )


def serve(settings: Settings) -> int:
    missing = settings.missing_slack_settings()
    if settings.playground:
        sys.stderr.write(
            "No Slack or Teams settings yet, so Baton serves its local playground: a demo "
            "library to try it in your browser. To connect Slack instead, put these in .env "
            "(see .env.example) or the environment:\n"
            + "".join(f"  - {line}\n" for line in missing)
        )
        sys.stderr.write(_CREATE_APP)
        sys.stderr.write(
            "For Microsoft Teams, set TEAMS_APP_ID and TEAMS_APP_PASSWORD (see the README).\n"
        )
    elif settings.slack and missing:
        sys.stderr.write(
            "Baton can't connect to Slack yet. Put these in .env (see .env.example) or the "
            "environment:\n" + "".join(f"  - {line}\n" for line in missing)
        )
        sys.stderr.write(_CREATE_APP)
        return 2
    missing_teams = settings.missing_teams_settings() if settings.teams else []
    if missing_teams:
        sys.stderr.write(_teams_missing(missing_teams))
        return 2
    from bot.app import PlaygroundUnavailableError, serve_forever
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve_forever(settings))
    except PlaygroundUnavailableError as error:
        sys.stderr.write(f"Baton can't start its playground: {error}\n")
        return 2
    return 0


def run_jobs(settings: Settings, name: str, at: str | None) -> int:
    """Run one scheduled job once, now or at `at`."""
    from bot.app import build_parts
    from bot.clock import FixedClock, SystemClock
    from storage.migrate import upgrade

    if settings.slack_bot_token is None and not settings.teams:
        sys.stderr.write(
            "Jobs send messages through Slack or Teams: set SLACK_BOT_TOKEN or TEAMS_APP_ID "
            "first.\n"
        )
        return 2
    missing_teams = settings.missing_teams_settings() if settings.teams else []
    if missing_teams:
        sys.stderr.write(_teams_missing(missing_teams))
        return 2
    clock: FixedClock | SystemClock = SystemClock()
    if at is not None:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            sys.stderr.write(
                f"--now {at!r} isn't a moment I can use: give a date and time with its "
                "timezone, like 2026-12-01T09:00:00+00:00 or 2026-12-01T09:00Z.\n"
            )
            return 2
        clock = FixedClock(moment)
    upgrade(settings.database_url)
    parts = build_parts(settings, clock)
    try:
        job = parts.jobs.get(name)
        if job is None:
            sys.stderr.write(f"There is no job {name!r}. Jobs: {', '.join(parts.jobs)}.\n")
            return 2
        sent = job.run(clock.now())
    finally:
        parts.engine.dispose()
    sys.stdout.write(f"{name}: {sent} messages sent at {clock.now().isoformat()}.\n")
    return 0


def teams_package(settings: Settings, args: argparse.Namespace) -> int:
    """Build the Teams app package (manifest and icons) to upload to Teams."""
    from pathlib import Path

    from handlers.teams.package import PackageDetails, PackageError, write

    app_id = args.app_id or settings.teams_app_id
    if not app_id:
        sys.stderr.write(
            "The package needs the bot's Microsoft App ID: give --app-id or set TEAMS_APP_ID "
            "(Azure portal → your bot's app registration → Application (client) ID).\n"
        )
        return 2
    details = PackageDetails(
        app_id=app_id,
        host=args.host,
        developer=args.developer,
        website=args.website,
        privacy_url=args.privacy_url,
        terms_url=args.terms_url,
    )
    try:
        path = write(details, Path(args.out))
    except PackageError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    sys.stdout.write(
        f"Wrote {path}. Upload it in Teams (Apps → Manage your apps → Upload an app) or in "
        "the Teams admin center (Teams apps → Manage apps → Upload). Teams will send "
        f"messages to https://{args.host}/api/messages: set that as the bot's messaging "
        "endpoint in the Azure portal.\n"
    )
    return 0


JSON_EXPORT = "baton-export.json"


def export_records(settings: Settings, fmt: str, folder: str) -> int:
    """Write every workspace's records to `folder`: CSV files per workspace, or one JSON file
    that `import` rebuilds the database from."""
    from pathlib import Path

    from bot.clock import SystemClock
    from bot.services.export import every_workspace
    from storage.migrate import upgrade
    from storage.transfer import write_json
    from storage.uow import SqlAlchemyUnitOfWorkFactory, create_engine_for

    target = Path(folder)
    if target.exists() and not target.is_dir():
        sys.stderr.write(f"{target} is a file: give the folder to write the export in.\n")
        return 2
    try:
        if fmt == "json":
            path = target / JSON_EXPORT
            rows = write_json(settings.database_url, path, SystemClock().now())
            sys.stdout.write(
                f"Wrote {path}: {sum(rows.values())} rows from {len(rows)} tables, everything "
                f"Baton keeps. Load it into an empty database with `python -m bot import {path}`."
                "\n"
            )
            return 0
        upgrade(settings.database_url)
        engine = create_engine_for(settings.database_url)
        try:
            exports = every_workspace(SqlAlchemyUnitOfWorkFactory(engine))
        finally:
            engine.dispose()
        for export in exports:
            (target / export.folder).mkdir(parents=True, exist_ok=True)
            for file in export.files:
                (target / export.folder / file.filename).write_bytes(file.content)
            name = export.workspace.name or export.workspace.external_id
            sys.stdout.write(
                f"Wrote {target / export.folder}/ for {name} ({export.workspace.platform}): "
                f"{', '.join(f.filename for f in export.files)}, with {export.holds}.\n"
            )
    except OSError as error:
        sys.stderr.write(f"Couldn't write the export in {target}: {error.strerror or error}.\n")
        return 2
    if not exports:
        sys.stdout.write("The database holds no workspaces yet, so there was nothing to export.\n")
    return 0


def import_records(settings: Settings, file: str) -> int:
    """Load a JSON export into the empty database at DATABASE_URL."""
    from pathlib import Path

    from storage.transfer import TransferError, load, read_export

    try:
        loaded = load(settings.database_url, read_export(Path(file)))
    except TransferError as error:
        sys.stderr.write(f"{error} Nothing was imported.\n")
        return 2
    sys.stdout.write(
        f"Imported {loaded.total} rows into {len(loaded.rows)} tables from {file} (made at "
        f"schema revision {loaded.schema_revision}); the database is up to date and ready to "
        "serve.\n"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="baton", description="Shared posting duty for libraries.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "serve",
        help="apply migrations and serve Slack, Teams and /healthz (the local playground when no "
        "chat settings are set)",
    )
    sub.add_parser("migrate", help="bring the database schema up to date")
    jobs_parser = sub.add_parser("jobs", help="scheduled jobs, for cron-style deployments")
    jobs_sub = jobs_parser.add_subparsers(dest="jobs_command", required=True)
    run_parser = jobs_sub.add_parser("run", help="run one job once")
    run_parser.add_argument("job", choices=["handoff", "feed-watch", "quiet-check", "digest"])
    run_parser.add_argument(
        "--now", help="the moment to run it at (ISO 8601 with a timezone); default: now"
    )
    package = sub.add_parser(
        "teams-package",
        help="build the Teams app package (manifest.json and icons in a zip) to upload to Teams",
    )
    package.add_argument(
        "--host", required=True, help="the public host Baton is served on, like baton.library.org"
    )
    package.add_argument("--app-id", help="the bot's Microsoft App ID (default: TEAMS_APP_ID)")
    package.add_argument("--out", default="baton-teams.zip", help="where to write the zip")
    package.add_argument(
        "--developer", default="Baton", help="who publishes the app in your organisation"
    )
    package.add_argument("--website", help="https:// page about the app (default: Baton's own)")
    package.add_argument("--privacy-url", help="https:// privacy statement (default: Baton's own)")
    package.add_argument("--terms-url", help="https:// terms of use (default: Baton's own)")
    exporting = sub.add_parser(
        "export",
        help="write every workspace's records to a folder: CSV files per workspace, or one JSON "
        "file to rebuild the database from",
    )
    exporting.add_argument(
        "--format",
        choices=["csv", "json"],
        default="csv",
        help="csv: posts, shifts and reminders per workspace, for spreadsheets; json: "
        "everything, for `import` (default: csv)",
    )
    exporting.add_argument("dir", help="the folder to write in (made if it isn't there)")
    importing = sub.add_parser(
        "import", help="load a JSON export into an empty database (DATABASE_URL)"
    )
    importing.add_argument("file", help="the JSON file `export --format json` wrote")
    args = parser.parse_args(argv)
    settings = _settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Slack's libraries log whole payloads at DEBUG, tokens included: never below INFO.
    for name in ("slack_sdk", "slack_bolt", "baton.slack", "microsoft_agents", "msal"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().level))
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    if args.command == "migrate":
        return migrate(settings)
    if args.command == "jobs":
        return run_jobs(settings, args.job, args.now)
    if args.command == "teams-package":
        return teams_package(settings, args)
    if args.command == "export":
        return export_records(settings, args.format, args.dir)
    if args.command == "import":
        return import_records(settings, args.file)
    return serve(settings)
