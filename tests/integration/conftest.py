"""pytest fixtures: a running server per test module (fresh where a test
changes global state)."""
import os, sys
import pytest

sys.path.insert(0, os.path.dirname(__file__))
from dlserver import Server  # noqa: E402


@pytest.fixture(scope="module")
def server():
    srv = Server().start()
    yield srv
    srv.stop()


@pytest.fixture
def fresh_server():
    srv = Server().start()
    yield srv
    srv.stop()
