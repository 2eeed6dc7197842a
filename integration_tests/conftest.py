"""Shared fixtures: a fresh sandbox per test, in either dialect."""

from __future__ import annotations

import pytest

from integration_tests.harness import run_connector, sandbox_config
from integration_tests.sandbox import Dataset, SandboxServer


@pytest.fixture
def sandbox():
    """Factory: `sandbox(users=.., suppliers=.., payments=.., zones=.., **server_options)` -> started server
    (`zones`: records in each generated zone, or `{"*": n, "quotes": m}`)."""
    servers = []

    def start(users: int = 60, suppliers: int = 40, payments: int = 80, zones=12, **options):
        server = SandboxServer(Dataset(users=users, suppliers=suppliers, payments=payments, zones=zones),
                               **options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(params=["bearer", "hmac"])
def dialect(request) -> str:
    return request.param


@pytest.fixture
def config_for():
    return sandbox_config


@pytest.fixture(scope="session")
def discovered():
    """discover's catalog of the zone dialect (every stream), once for the session."""
    with SandboxServer(Dataset(users=5, suppliers=5, payments=5, zones=2)) as server:
        run = run_connector("discover", sandbox_config(server, "hmac"))
    assert run.returncode == 0, run.stderr[-2000:]
    return run.catalog()
