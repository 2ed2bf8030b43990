"""Fixtures of the question log tests: a real PostgreSQL server, and both stores per test.

The PostgreSQL server is started once per session (``tests/postgres_server.py``); every test
gets a database of its own. Missing binaries FAIL the tests, never skip them: CI must not go
green without having tested PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest

from bot.records import RecordStore
from bot.store_postgres import PostgresRecordStore
from bot.store_sqlite import SqliteRecordStore
from tests.endpoint.conftest import connector as connector  # the endpoint tests' fake channel
from tests.postgres_server import postgres_server

BACKENDS = ["sqlite", "postgres"]
_databases = itertools.count(1)

#: Makes a store (unopened) of the test's backend; ``migrations`` builds an older schema.
StoreFactory = Callable[..., RecordStore]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of the session's PostgreSQL server (maintenance database ``postgres``)."""
    try:
        with postgres_server() as url:
            yield url
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


async def _new_database(server_url: str) -> str:
    name = f"faq_log_{next(_databases)}"
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f"CREATE DATABASE {name}")
    finally:
        await connection.close()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=BACKENDS)
async def store_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[StoreFactory]:
    """Stores of one backend (parametrized over SQLite and PostgreSQL), on one empty database.

    Every store the test makes shares that database (to reopen it, or to migrate it), and is
    closed after the test.
    """
    made: list[RecordStore] = []
    if request.param == "postgres":
        url = await _new_database(request.getfixturevalue("postgres_url"))

        def make(**options: object) -> RecordStore:
            store = PostgresRecordStore(url, **options)  # type: ignore[arg-type]
            made.append(store)
            return store
    else:
        path = tmp_path / "log" / "question-log.sqlite3"

        def make(**options: object) -> RecordStore:
            store = SqliteRecordStore(path, **options)  # type: ignore[arg-type]
            made.append(store)
            return store

    yield make
    for store in made:
        await store.close()


@pytest.fixture
async def store(store_factory: StoreFactory) -> RecordStore:
    """An opened, empty store of each backend."""
    opened = store_factory()
    await opened.open()
    return opened
