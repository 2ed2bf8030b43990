"""Fixtures of the endpoint tests: the fake Bot Connector and the real app in front of it."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient, AiohttpServer

from bot.app import create_app
from bot.faq_bot import FaqBot
from bot.settings import Settings
from intents import TfidfMatcher
from tests.endpoint.fake_connector import FakeConnector


@pytest.fixture
async def connector(aiohttp_server: AiohttpServer) -> FakeConnector:
    """A fake Bot Connector on 127.0.0.1; use ``connector.url`` as the serviceUrl."""
    fake = FakeConnector()
    server = await aiohttp_server(fake.app())
    fake.url = str(server.make_url("/"))
    return fake


@pytest.fixture
async def client(
    aiohttp_client: AiohttpClient, matcher: TfidfMatcher
) -> TestClient[web.Request, web.Application]:
    """The real application (auth off, as with the Emulator) over the sample FAQ."""
    return await aiohttp_client(create_app(Settings(), FaqBot(matcher)))
