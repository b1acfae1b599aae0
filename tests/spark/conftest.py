"""Spark tests run PySpark in local mode; they need Java 17 (`make test` installs it)."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session", autouse=True)
def java() -> None:
    if shutil.which("java") is None:
        pytest.fail("the Spark tests need Java 17: apt-get install -y openjdk-17-jre-headless")
