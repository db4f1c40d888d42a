"""The migrated empty database a server on a new PREFECT_HOME starts from (flows/server.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rectrack.flows import server


def _database(path: Path, flow_runs: int = 0, migrated: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
        if migrated:
            connection.execute("INSERT INTO alembic_version VALUES ('27d8f4e1a6c9')")
        connection.execute("CREATE TABLE flow_run (id TEXT)")
        connection.executemany("INSERT INTO flow_run VALUES (?)", [(str(i),) for i in range(flow_runs)])
        connection.execute("CREATE TABLE block_type (name TEXT)")
        connection.execute("INSERT INTO block_type VALUES ('secret')")
    connection.close()
    return path


def _block_types(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [name for (name,) in connection.execute("SELECT name FROM block_type")]
    finally:
        connection.close()


def test_template_dir_follows_the_cache_settings_and_the_prefect_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    named = server.database_template_dir({"RECTRACK_CACHE_DIR": str(tmp_path)})
    assert named == tmp_path / f"prefect-{version('prefect')}"
    xdg = server.database_template_dir({"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert xdg == tmp_path / "xdg" / "rectrack" / f"prefect-{version('prefect')}"
    assert server.database_template_dir({"RECTRACK_CACHE_DIR": ""}) is None
    # Another database (e.g. PostgreSQL): no SQLite file to seed.
    assert server.database_template_dir({"RECTRACK_CACHE_DIR": str(tmp_path),
                                         "PREFECT_API_DATABASE_CONNECTION_URL": "postgresql+asyncpg://x"}) is None


def test_a_new_home_gets_the_template_and_an_existing_one_keeps_its_own(tmp_path: Path) -> None:
    template = tmp_path / "template"
    _database(template / server.DATABASE)
    (template / server.BLOCK_MEMO).write_text('block_auto_registration = "abc"\n')

    new_home = tmp_path / "new"
    assert server.seed_database(new_home, template)
    assert _block_types(new_home / server.DATABASE) == ["secret"]
    assert (new_home / server.BLOCK_MEMO).read_text() == 'block_auto_registration = "abc"\n'
    assert not list(new_home.glob(".*partial"))

    used_home = tmp_path / "used"
    _database(used_home / server.DATABASE, flow_runs=3)
    assert not server.seed_database(used_home, template)
    connection = sqlite3.connect(used_home / server.DATABASE)
    assert connection.execute("SELECT count(*) FROM flow_run").fetchone()[0] == 3
    connection.close()

    assert not server.seed_database(tmp_path / "none", None)
    assert not server.seed_database(tmp_path / "empty", tmp_path / "no-template-here")


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_a_broken_template_is_not_copied(tmp_path: Path, content: bytes) -> None:
    template = tmp_path / "template"
    template.mkdir()
    (template / server.DATABASE).write_bytes(content)
    assert not server.seed_database(tmp_path / "home", template)
    assert not (tmp_path / "home" / server.DATABASE).exists()


def test_an_unmigrated_template_is_not_copied(tmp_path: Path) -> None:
    template = tmp_path / "template"
    _database(template / server.DATABASE, migrated=False)
    assert not server.seed_database(tmp_path / "home", template)


def test_only_a_database_with_no_run_in_it_becomes_the_template(tmp_path: Path) -> None:
    template = tmp_path / "template"
    used = _database(tmp_path / "used" / server.DATABASE, flow_runs=1)
    assert not server.keep_database_template(used.parent, template)
    assert not (template / server.DATABASE).exists()

    fresh = _database(tmp_path / "fresh" / server.DATABASE)
    (fresh.parent / server.BLOCK_MEMO).write_text("memo\n")
    assert server.keep_database_template(fresh.parent, template)
    assert _block_types(template / server.DATABASE) == ["secret"]
    assert (template / server.BLOCK_MEMO).read_text() == "memo\n"
    # Kept once: a second new database leaves the first template as it is.
    other = _database(tmp_path / "other" / server.DATABASE)
    assert not server.keep_database_template(other.parent, template)


@pytest.mark.slow
def test_a_real_server_keeps_its_new_database_and_the_next_new_home_starts_from_it(tmp_path: Path,
                                                                                 monkeypatch) -> None:
    """Two temporary servers on two new homes: the first creates its database (Prefect's migrations)
    and leaves the template; the second starts from the copy and answers the API the same way."""
    import json
    import urllib.request

    monkeypatch.setenv("RECTRACK_CACHE_DIR", str(tmp_path / "cache"))
    template = server.database_template_dir()
    answers = []
    for name in ("first", "second"):
        temporary = server.TemporaryServer(tmp_path / name)
        try:
            temporary.wait()
            request = urllib.request.Request(f"{temporary.api_url}/block_types/filter", data=b"{}",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:
                answers.append(sorted(block["slug"] for block in json.load(response)))
        finally:
            temporary.stop()
        assert (template / server.DATABASE).is_file()
        assert temporary.seeded == (name == "second")
    assert answers[0] == answers[1] and "secret" in answers[0]
