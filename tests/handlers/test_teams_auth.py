"""Teams requests must carry a Bot Framework token signed by Microsoft's keys, for Baton's
own app id; the keys are served from loopback here instead of login.botframework.com."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from microsoft_agents.hosting.core.authorization import jwt as sdk_jwt
from microsoft_agents.hosting.core.authorization._entra_issuers import BOTFRAMEWORK_JWKS_URIS

from bot.app import Running, start
from bot.clock import FixedClock
from bot.settings import Settings
from storage.migrate import upgrade
from tests.handlers.conftest import START
from tests.teams_fakes import activity

APP_ID = "00000000-0000-4000-8000-0000000000ba"
ISSUER = "https://api.botframework.com"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"


@pytest.fixture
def keys() -> Iterator[tuple[Any, Any]]:
    """Microsoft's signing key (ours here) and an impostor's."""
    yield (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


@pytest.fixture
async def baton(tmp_path: Path, keys: tuple[Any, Any]) -> AsyncIterator[str]:
    """Baton serving Teams with real credentials; the Bot Framework's key set on loopback."""
    public = jwt.algorithms.RSAAlgorithm.to_jwk(keys[0].public_key(), as_dict=True)
    jwks = web.Application()

    async def key_set(request: web.Request) -> web.Response:
        del request
        return web.json_response({"keys": [{**public, "kid": "ms-1", "use": "sig"}]})

    jwks.router.add_get("/keys", key_set)
    runner = web.AppRunner(jwks, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    keys_url = f"http://127.0.0.1:{runner.addresses[0][1]}/keys"

    manager = sdk_jwt.JwtTokenValidator._jwk_client_manager
    entry = manager._get_jwk_client(keys_url)
    saved = dict(manager._cache)
    manager._cache[BOTFRAMEWORK_JWKS_URIS[ISSUER]] = type(entry)(entry.jwk_client, threading.Lock())

    database_url = f"sqlite:///{tmp_path / 'baton.db'}"
    upgrade(database_url)
    settings = Settings.model_validate(
        {
            "DATABASE_URL": database_url,
            "BATON_HOST": "127.0.0.1",
            "BATON_PORT": 0,
            "TEAMS_APP_ID": APP_ID,
            "TEAMS_APP_PASSWORD": "a-client-secret-for-tests",
            "BATON_RUN_JOBS": False,
        }
    )
    running: Running = await start(settings, FixedClock(START))
    yield f"http://127.0.0.1:{running.port}/api/messages"
    await running.stop()
    manager._cache.clear()
    manager._cache.update(saved)
    await runner.cleanup()


def token(key: Any, **claims: Any) -> str:
    # The SDK checks tokens against the real time, as Microsoft's tokens carry it.
    now = time.time()  # noqa: TID251
    body = {
        "iss": ISSUER,
        "aud": APP_ID,
        "iat": int(now),
        "nbf": int(now),
        "exp": int(now + timedelta(hours=1).total_seconds()),
        "serviceurl": SERVICE_URL,
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": "ms-1"})


async def post(url: str, service_url: str, bearer: str | None) -> tuple[int, dict[str, Any]]:
    body = activity(service_url, "29:ben", "Ben", text="join", activity_id="1")
    headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else {}
    async with aiohttp.ClientSession() as http, http.post(url, json=body, headers=headers) as r:
        return r.status, dict(await r.json())


async def test_request_without_a_token_is_refused_when_credentials_are_set(baton: str) -> None:
    status, body = await post(baton, SERVICE_URL, None)
    assert status == 401
    assert "Authorization" in body["error"]


async def test_token_signed_by_someone_else_is_refused(baton: str, keys: tuple[Any, Any]) -> None:
    status, body = await post(baton, SERVICE_URL, token(keys[1]))
    assert (status, body["error"]) == (401, "Invalid token or authentication failed.")


async def test_token_for_another_bot_is_refused(baton: str, keys: tuple[Any, Any]) -> None:
    status, body = await post(baton, SERVICE_URL, token(keys[0], aud="another-bots-app-id"))
    assert (status, body["error"]) == (401, "Invalid token or authentication failed.")


async def test_expired_token_is_refused(baton: str, keys: tuple[Any, Any]) -> None:
    an_hour_ago = int(time.time()) - 3600  # noqa: TID251
    status, _ = await post(baton, SERVICE_URL, token(keys[0], exp=an_hour_ago))
    assert status == 401


async def test_signed_request_naming_a_foreign_service_url_is_refused_after_the_token_passes(
    baton: str, keys: tuple[Any, Any]
) -> None:
    # The token is good, so the request gets past the signature check; Baton still won't
    # send anything to a service URL that isn't Microsoft's.
    status, body = await post(baton, "http://127.0.0.1:9/", token(keys[0]))
    assert status == 401
    assert body["error"] == "Service URL is not allowed by the host validator."
