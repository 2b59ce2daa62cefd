"""Test configuration: fixture modules per feature (STYLE.md rule 8)."""

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.accounts",
    "tests.fixtures.spaces",
    "tests.fixtures.forums",
    "tests.fixtures.cast",
    "tests.fixtures.ideas",
    "tests.fixtures.brainstorms",
    "tests.fixtures.experts",
    "tests.fixtures.products",
    "tests.fixtures.notifications",
    "tests.fixtures.knowledge",
    "tests.fixtures.api",
    "tests.fixtures.redis",
]
