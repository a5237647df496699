"""Baton's settings, read from the environment and from `.env`."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_PLACEHOLDER_MARKERS = ("your-", "changeme", "change-me", "xxxx", "...")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class Settings(BaseSettings):
    """Every setting Baton reads. `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default="sqlite:///baton.db", alias="DATABASE_URL")
    host: str = Field(default="127.0.0.1", alias="BATON_HOST")
    port: int = Field(default=3000, ge=0, le=65535, alias="BATON_PORT")
    log_level: str = Field(default="INFO", alias="BATON_LOG_LEVEL")
    run_jobs: bool = Field(default=True, alias="BATON_RUN_JOBS")
    coordinators: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), alias="BATON_COORDINATORS"
    )
    public_url: str | None = Field(default=None, alias="BATON_PUBLIC_URL")
    """Where people reach this server from outside (calendar and download links)."""
    watch_channel: str | None = Field(default=None, alias="BATON_WATCH_CHANNEL")
    """A chat channel id whose messages with a matching link become posts (§7)."""

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str | None = Field(default=None, alias="SLACK_API_URL")

    teams_app_id: str | None = Field(default=None, alias="TEAMS_APP_ID")
    teams_app_password: SecretStr | None = Field(default=None, alias="TEAMS_APP_PASSWORD")
    teams_tenant_id: str | None = Field(default=None, alias="TEAMS_TENANT_ID")
    teams_allow_anonymous: bool = Field(default=False, alias="TEAMS_ALLOW_ANONYMOUS")

    @field_validator("coordinators", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "teams_app_password",
        mode="before",
    )
    @classmethod
    def _refuse_placeholders(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            if any(marker in value.lower() for marker in _PLACEHOLDER_MARKERS):
                raise ValueError(
                    "looks like the example placeholder; paste the real value "
                    "(.env.example says where to find it) or leave it empty"
                )
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"use one of {', '.join(_LOG_LEVELS)}")
        return level

    @field_validator(
        "slack_api_url",
        "teams_app_id",
        "teams_tenant_id",
        "public_url",
        "watch_channel",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("watch_channel")
    @classmethod
    def _chat_channel_id(cls, value: str | None) -> str | None:
        if value is None:
            return None
        channel = value.strip().upper()
        if not re.fullmatch(r"[CG][A-Z0-9]{5,}", channel):
            raise ValueError(
                "give the Slack channel's id, like C0123ABCDEF, not its name: in Slack, open "
                "the channel's details; the id is at the bottom of the About tab"
            )
        return channel

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ValueError(
                "give the address people open Baton at, like https://baton.library.org "
                "(with http:// or https://, no query)"
            )
        return value.strip().rstrip("/")

    @property
    def slack_socket_mode(self) -> bool:
        """Socket Mode when an app-level token is set (no public URL needed)."""
        return self.slack_app_token is not None

    @property
    def slack(self) -> bool:
        """Some Slack setting is given: serve Slack (or say what else it needs)."""
        return not (
            self.slack_bot_token is None
            and self.slack_signing_secret is None
            and self.slack_app_token is None
        )

    @property
    def teams(self) -> bool:
        """Some Teams setting is given, or anonymous testing is switched on: serve Teams (or
        say what else it needs)."""
        return (
            self.teams_app_id is not None
            or self.teams_app_password is not None
            or self.teams_tenant_id is not None
            or self.teams_allow_anonymous
        )

    @property
    def playground(self) -> bool:
        """No chat credentials at all: serve the local playground instead."""
        return not self.slack and not self.teams

    def missing_teams_settings(self) -> list[str]:
        """The Teams settings still needed to serve Teams, with where to find each."""
        missing: list[str] = []
        if self.teams_allow_anonymous:
            if self.host not in ("127.0.0.1", "localhost", "::1"):
                missing.append(
                    "TEAMS_ALLOW_ANONYMOUS=true accepts requests nobody signed; it is for "
                    "testing on this machine only, so keep BATON_HOST=127.0.0.1 or set it "
                    "to false"
                )
            return missing
        if self.teams_app_id is None:
            missing.append(
                "TEAMS_APP_ID: the bot's Microsoft App ID, a GUID (Azure portal → App "
                "registrations → your bot → Application (client) ID)"
            )
        if self.teams_app_password is None:
            missing.append(
                "TEAMS_APP_PASSWORD: a client secret of the bot's app registration "
                "(Azure portal → App registrations → your bot → Certificates & secrets)"
            )
        return missing

    def missing_slack_settings(self) -> list[str]:
        """The Slack settings still needed to serve Slack, with where to find each."""
        missing: list[str] = []
        if self.slack_bot_token is None:
            missing.append(
                "SLACK_BOT_TOKEN (xoxb-…): your app's page → OAuth & Permissions → "
                "Bot User OAuth Token"
            )
        if self.slack_socket_mode:
            return missing
        if self.slack_signing_secret is None:
            missing.append(
                "SLACK_SIGNING_SECRET: your app's page → Basic Information → App Credentials "
                "(or set SLACK_APP_TOKEN, xapp-…, to use Socket Mode instead)"
            )
        return missing
