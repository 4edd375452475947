"""The history database: where it lives, its permissions, its schema versions, what it refuses, and that it keeps
every record through concurrent saves and a process killed mid-save. Every test uses a real SQLite file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backpain_cli.cli.app import app
from backpain_cli.core.engine import assess
from backpain_cli.core.validation import validate
from backpain_cli.storage.store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    StoreError,
    open_store,
    resolve_path,
    save_assessment,
)


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never let a test near the real user data directory."""
    monkeypatch.setenv("BACKPAIN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def _save(db: Path, answers: dict[str, Any]) -> int:
    valid = validate(answers)
    record, _ = save_assessment(db, valid, assess(valid))
    return record.id


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM assessment").fetchone()[0])


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


# -- where and with which permissions ---------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077, 0o277])
def test_directory_0700_and_database_0600_whatever_the_umask(
    tmp_path: Path, base_answers: dict[str, Any], umask: int
) -> None:
    db = tmp_path / "new" / "dir" / "history.sqlite3"
    old = os.umask(umask)
    try:
        _save(db, base_answers)
    finally:
        os.umask(old)
    assert _mode(db.parent) == 0o700
    assert _mode(db) == 0o600


def test_the_journal_gets_the_database_mode(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    db = tmp_path / "h.sqlite3"
    _save(db, base_answers)
    old = os.umask(0)
    try:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM assessment")  # forces the rollback journal to be written
        journal = Path(str(db) + "-journal")
        assert journal.exists()
        assert _mode(journal) == 0o600
        conn.execute("ROLLBACK")
        conn.close()
    finally:
        os.umask(old)


def test_where_the_database_lives(tmp_path: Path) -> None:
    assert resolve_path("/x/y.db", {"BACKPAIN_HOME": "/home"}) == Path("/x/y.db")
    assert resolve_path(None, {"BACKPAIN_HOME": "/home"}) == Path("/home/history.sqlite3")


def test_default_is_the_user_data_directory(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    env = {"BACKPAIN_HOME": "", "XDG_DATA_HOME": str(tmp_path / "data")}
    result = CliRunner(env=env).invoke(app, ["assess", "--save", "-f", "json"], input=json.dumps(base_answers))
    assert result.exit_code == 0, result.output
    db = tmp_path / "data" / "backpain" / "history.sqlite3"
    assert _count(db) == 1
    assert _mode(db.parent) == 0o700
    assert str(db) in result.stderr


def test_backpain_home_and_db_option(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    runner = CliRunner(env={"BACKPAIN_HOME": str(tmp_path / "home2")})
    assert runner.invoke(app, ["assess", "--save"], input=json.dumps(base_answers)).exit_code == 0
    assert _count(tmp_path / "home2" / "history.sqlite3") == 1
    other = tmp_path / "elsewhere.db"
    assert runner.invoke(app, ["assess", "--save", "--db", str(other)], input=json.dumps(base_answers)).exit_code == 0
    assert _count(other) == 1
    assert _count(tmp_path / "home2" / "history.sqlite3") == 1


@pytest.mark.parametrize("command", [["assess", "--save"], ["assess"], ["history"], ["history", "--export", "csv"]])
def test_db_in_a_folder_that_does_not_exist_is_refused(
    tmp_path: Path, base_answers: dict[str, Any], command: list[str]
) -> None:
    db = tmp_path / "typo" / "deeper" / "h.sqlite3"
    result = CliRunner().invoke(app, [*command, "--db", str(db)], input=json.dumps(base_answers))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert str(tmp_path / "typo" / "deeper") in result.stderr and "does not exist" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_db_under_a_file_is_refused(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    (tmp_path / "file").write_text("")
    result = CliRunner().invoke(
        app, ["assess", "--save", "--db", str(tmp_path / "file" / "h.db")], input=json.dumps(base_answers)
    )
    assert result.exit_code == 2 and "is not a folder" in result.stderr


def test_the_default_folder_is_created_private(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    home = tmp_path / "not" / "yet"
    result = CliRunner(env={"BACKPAIN_HOME": str(home)}).invoke(
        app, ["assess", "--save", "-f", "json"], input=json.dumps(base_answers)
    )
    assert result.exit_code == 0, result.output
    assert _count(home / "history.sqlite3") == 1 and _mode(home) == 0o700


def test_nothing_is_stored_unless_asked(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    before = sorted(p for p in tmp_path.rglob("*"))
    result = CliRunner().invoke(app, ["assess", "-f", "json"], input=json.dumps(base_answers))
    assert result.exit_code == 0
    result = CliRunner().invoke(app, ["assess", "--db", str(tmp_path / "x.db")], input=json.dumps(base_answers))
    assert result.exit_code == 0
    assert "nothing saved" in result.stderr
    result = CliRunner().invoke(app, ["history", "-f", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["assessments"] == []
    assert sorted(p for p in tmp_path.rglob("*")) == before


# -- schema versions ---------------------------------------------------------------------------------------


def test_new_database_is_marked_as_ours(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    db = tmp_path / "h.sqlite3"
    _save(db, base_answers)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_empty_file_becomes_a_database(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    db = tmp_path / "h.sqlite3"
    db.touch(mode=0o600)  # e.g. a process stopped between creating the file and its first commit
    assert _save(db, base_answers) == 1


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    db = tmp_path / "h.sqlite3"
    _save(db, base_answers)
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = db.read_bytes()
    result = CliRunner().invoke(app, ["history", "--db", str(db)])
    assert result.exit_code == 2, result.output
    assert "newer version of backpain" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    _assert_shown_but_not_saved(db, base_answers, "newer version of backpain")
    assert db.read_bytes() == before


def _assert_shown_but_not_saved(db: Path, answers: dict[str, Any], why: str) -> None:
    """`assess --save` with a history it cannot use: the result first, on stdout; then why it was not saved,
    on stderr; exit 3."""
    emergency = {**answers, "id": "cannot-wait", "red_flags": ["saddle_numbness"]}
    for fmt in ("json", "text"):
        result = CliRunner().invoke(app, ["assess", "--save", "--db", str(db), "-f", fmt], input=json.dumps(emergency))
        assert result.exit_code == 3, result.output
        assert "Traceback" not in result.output
        if fmt == "json":
            assert json.loads(result.stdout)["level"] == "emergency"
        else:
            assert "EMERGENCY" in result.stdout and "cannot-wait" in result.stdout
        assert "not saved" in result.stderr and why in result.stderr
        assert "saved 1" not in result.stderr


# -- what it refuses ---------------------------------------------------------------------------------------


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('someone else''s data')")
    conn.close()


def _damaged(path: Path, base_answers: dict[str, Any]) -> None:
    for i in range(30):
        _save(path, {**base_answers, "id": f"record-{i}" * 20})
    data = bytearray(path.read_bytes())
    page = 4096
    data[page : 3 * page] = b"\xff\x00garbage" * (2 * page // 9) + b"\xff" * (2 * page % 9)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["text", "binary", "foreign_sqlite", "damaged", "half_header"])
def test_a_foreign_or_corrupt_file_is_refused_and_left_untouched(
    tmp_path: Path, base_answers: dict[str, Any], kind: str
) -> None:
    db = tmp_path / "h.sqlite3"
    if kind == "text":
        db.write_text("my notes, not a database\n")
    elif kind == "binary":
        db.write_bytes(bytes(range(256)) * 20)
    elif kind == "foreign_sqlite":
        _foreign_sqlite(db)
    elif kind == "half_header":
        db.write_bytes(b"SQLite for")
    else:
        _damaged(db, base_answers)
    before = db.read_bytes()
    _assert_shown_but_not_saved(db, base_answers, "left untouched")
    for args in (
        ["history", "--db", str(db), "-f", "text"],
        ["history", "--db", str(db), "--export", "json"],
        ["history", "--db", str(db), "--delete-all", "--yes"],
    ):
        result = CliRunner().invoke(app, args, input=json.dumps(base_answers))
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "left untouched" in result.stderr
        assert result.stdout == ""
    assert db.read_bytes() == before
    assert not Path(str(db) + "-journal").exists()


def test_a_directory_at_the_default_path_is_refused(
    tmp_path: Path, base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder where the default history should be (`--db` naming a folder is a usage error: see test_cli)."""
    monkeypatch.setenv("BACKPAIN_HOME", str(tmp_path))
    (tmp_path / "history.sqlite3").mkdir()
    emergency = {**base_answers, "id": "cannot-wait", "red_flags": ["saddle_numbness"]}
    result = CliRunner().invoke(app, ["assess", "--save"], input=json.dumps(emergency))
    assert result.exit_code == 3, result.output
    assert json.loads(result.stdout)["level"] == "emergency"
    assert "not saved" in result.stderr and "not a regular file" in result.stderr


def test_open_store_raises_store_error_not_sqlite_error(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    db.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(StoreError):
        open_store(db)


# -- nothing lost ------------------------------------------------------------------------------------------

SAVER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from backpain_cli.core.engine import assess
    from backpain_cli.storage.store import save_assessment
    from backpain_cli.core.validation import validate
    db, tag, n, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    answers = validate(json.loads(sys.stdin.read()))
    while not go.exists():
        time.sleep(0.005)
    for i in range(n):
        a = dict(answers, id=f"{tag}-{i}")
        save_assessment(db, a, assess(a))
    """
)


def test_two_processes_saving_at_once_both_keep_their_records(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    db, go, n = tmp_path / "h.sqlite3", tmp_path / "go", 100
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SAVER, str(db), tag, str(n), str(go)],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b")
    ]
    for p in procs:
        assert p.stdin is not None
        p.stdin.write(json.dumps(base_answers))
        p.stdin.close()
    go.touch()  # both start together, including creating the database
    for p in procs:
        assert p.wait(timeout=100) == 0, p.stderr.read() if p.stderr else ""
    with sqlite3.connect(db) as conn:
        ids = sorted(json.loads(a)["id"] for (a,) in conn.execute("SELECT answers FROM assessment"))
    conn.close()
    assert ids == sorted([f"a-{i}" for i in range(n)] + [f"b-{i}" for i in range(n)])
    assert _integrity(db) == "ok"


def test_two_cli_saves_at_once(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    db = tmp_path / "h.sqlite3"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "backpain_cli", "assess", "--save", "--db", str(db), "-f", "json"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(json.dumps({**base_answers, "id": i}).encode(), timeout=60) for i, p in enumerate(procs)]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert _count(db) == 2
    # Exactly one of the two saw the other as the earlier assessment.
    assert sum("since_last" in json.loads(out) for out, _ in outs) == 1


KILLED_MID_SAVE = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from backpain_cli.storage import store
    from backpain_cli.core.engine import assess
    from backpain_cli.core.validation import validate

    insert = store.Store._insert

    def insert_then_hang(conn, row):
        new_id = insert(conn, row)  # written, inside the transaction, not yet committed
        print("inserted", new_id, flush=True)
        time.sleep(60)
        return new_id

    store.Store._insert = staticmethod(insert_then_hang)
    answers = validate(json.loads(sys.stdin.read()))
    store.save_assessment(Path(sys.argv[1]), answers, assess(answers))
    """
)


def test_a_save_killed_mid_transaction_leaves_the_database_consistent(
    tmp_path: Path, base_answers: dict[str, Any]
) -> None:
    db = tmp_path / "h.sqlite3"
    for i in range(3):
        _save(db, {**base_answers, "id": f"kept-{i}"})
    before = db.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_SAVE, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps({**base_answers, "id": "lost"}))
    proc.stdin.close()
    assert proc.stdout.readline().startswith("inserted 4")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert Path(str(db) + "-journal").exists()  # a hot journal: the save was cut off mid-way
    assert _integrity(db) == "ok"  # and SQLite rolled it back on opening
    assert _count(db) == 3
    assert db.read_bytes()[:100] == before[:100]
    assert _save(db, {**base_answers, "id": "after"}) == 4
    result = CliRunner().invoke(app, ["history", "--db", str(db), "--export", "json"])
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == [1, 2, 3, 4]
    assert [x["answers"]["id"] for x in lines] == ["kept-0", "kept-1", "kept-2", "after"]


LOOP_SAVER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from backpain_cli.core.engine import assess
    from backpain_cli.storage.store import save_assessment
    from backpain_cli.core.validation import validate
    answers = validate(json.loads(sys.stdin.read()))
    print("started", flush=True)
    i = 0
    while True:
        a = dict(answers, id=f"loop-{i}", pain_intensity=i % 11)
        save_assessment(Path(sys.argv[1]), a, assess(a))
        i += 1
    """
)


def test_a_saver_killed_at_any_moment_leaves_whole_records(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    db = tmp_path / "h.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", LOOP_SAVER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(base_answers))
    proc.stdin.close()
    assert proc.stdout.readline().startswith("started")
    deadline = time.monotonic() + 20
    while (not db.exists() or _count_quiet(db) < 5) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert _integrity(db) == "ok"
    store = open_store(db)
    assert store is not None
    with store:
        records = store.records(full=True)
    assert len(records) >= 5
    for r in records:  # every record whole: its columns agree with its stored answers and result
        assert r.answers is not None and r.result is not None
        assert r.pain_intensity == r.answers["pain_intensity"]
        assert r.pain_impact == r.result["scores"]["pain_impact"]
        assert r.result["id"] == r.answers["id"]


def _count_quiet(db: Path) -> int:
    try:
        conn = sqlite3.connect(db, timeout=5)
        try:
            return int(conn.execute("SELECT count(*) FROM assessment").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


SLOW_SAVER = KILLED_MID_SAVE.replace("time.sleep(60)", "time.sleep(1.5)")


def test_a_save_during_another_save_waits_and_both_are_kept(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    db = tmp_path / "h.sqlite3"
    _save(db, {**base_answers, "id": "first"})
    slow = subprocess.Popen(
        [sys.executable, "-c", SLOW_SAVER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert slow.stdin is not None and slow.stdout is not None
    slow.stdin.write(json.dumps({**base_answers, "id": "slow"}))
    slow.stdin.close()
    assert slow.stdout.readline().startswith("inserted 2")  # the slow one is inside its transaction now
    quick = subprocess.run(
        [sys.executable, "-m", "backpain_cli", "assess", "--save", "--db", str(db), "-f", "json"],
        input=json.dumps({**_worse(base_answers), "id": "quick"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert slow.wait(timeout=60) == 0
    assert quick.returncode == 0, quick.stderr
    with sqlite3.connect(db) as conn:
        ids = [json.loads(a)["id"] for (a,) in conn.execute("SELECT answers FROM assessment ORDER BY id")]
    conn.close()
    assert ids == ["first", "slow", "quick"]
    # The quick save waited for the slow one, so it compares itself with it.
    assert (
        json.loads(quick.stdout)["since_last"]["pain_impact"] == assess(validate(base_answers))["scores"]["pain_impact"]
    )


def _worse(answers: dict[str, Any]) -> dict[str, Any]:
    return {**answers, "pain_intensity": 9}


CREATING_SLOWLY = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from backpain_cli.storage import store
    from backpain_cli.core.engine import assess
    from backpain_cli.core.validation import validate

    check = store._check_identity
    calls = []

    def check_then_hang(*args):
        check(*args)
        calls.append(args)
        if len(calls) == 2:  # the second check is made under the write lock, before the schema is created
            print("creating", flush=True)
            time.sleep(1.5)

    store._check_identity = check_then_hang
    answers = validate(json.loads(sys.stdin.read()))
    store.save_assessment(Path(sys.argv[1]), dict(answers, id="creator"), assess(answers))
    """
)


def test_a_save_while_another_process_creates_the_database(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    db = tmp_path / "new" / "h.sqlite3"
    creator = subprocess.Popen(
        [sys.executable, "-c", CREATING_SLOWLY, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert creator.stdin is not None and creator.stdout is not None
    creator.stdin.write(json.dumps(base_answers))
    creator.stdin.close()
    assert creator.stdout.readline().startswith("creating")
    assert db.stat().st_size == 0  # created, empty, being set up under the lock
    second = subprocess.run(
        [sys.executable, "-m", "backpain_cli", "assess", "--save", "--db", str(db), "-f", "json"],
        input=json.dumps({**base_answers, "id": "second"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert creator.wait(timeout=60) == 0
    assert second.returncode == 0, second.stderr
    with sqlite3.connect(db) as conn:
        ids = [json.loads(a)["id"] for (a,) in conn.execute("SELECT answers FROM assessment ORDER BY id")]
    conn.close()
    # Both saved, neither lost. Their order is not the point: the creator commits the new schema, then saves in a
    # transaction of its own, and a waiting second process may take the lock in between (it did, once, on a loaded
    # machine).
    assert sorted(ids) == ["creator", "second"]
    assert _integrity(db) == "ok"


def test_an_older_database_is_migrated_and_keeps_its_records(
    tmp_path: Path, base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from backpain_cli.storage import store

    db = tmp_path / "h.sqlite3"
    _save(db, {**base_answers, "id": "from-v1"})
    newer = (*store.MIGRATIONS, ("ALTER TABLE assessment ADD COLUMN note TEXT",))
    monkeypatch.setattr(store, "MIGRATIONS", newer)
    monkeypatch.setattr(store, "SCHEMA_VERSION", len(newer))
    assert _save(db, {**base_answers, "id": "from-v2"}) == 2
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        rows = conn.execute("SELECT json_extract(answers, '$.id'), note FROM assessment ORDER BY id").fetchall()
    conn.close()
    assert rows == [("from-v1", None), ("from-v2", None)]


def test_a_store_opened_for_a_short_read_waits_long_once_told_to(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    """`assess --save` reads the last assessment with a short timeout, then saves with the long one."""
    import threading

    db = tmp_path / "h.sqlite3"
    answers = validate(base_answers)
    store = open_store(db, timeout=0.05)
    assert store is not None
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError):
            store.latest()
        store.wait(10)
        release = threading.Timer(0.5, holder.rollback)
        release.start()
        started = time.monotonic()
        record, previous = store.save(answers, assess(answers))
        assert previous is None and record.id == 1 and time.monotonic() - started >= 0.3
        release.join()
    finally:
        holder.close()
        store.close()


# -- private to this user (issue 11, point 4) ----------------------------------------------------------------


def _refused_privately(db: Path, answers: dict[str, Any], why: str) -> None:
    """`assess --save` shows the result, says why in one line on stderr and exits 3; `history` exits 2."""
    result = CliRunner().invoke(app, ["assess", "--save", "--db", str(db), "-f", "json"], input=json.dumps(answers))
    assert result.exit_code == 3, result.output
    assert json.loads(result.stdout)["level"]
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "not saved" in result.stderr and why in result.stderr and "saved 1" not in result.stderr
    for args in (["history", "--db", str(db), "-f", "json"], ["history", "--db", str(db), "--export", "csv"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stdout == "" and why in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("mode", [0o666, 0o644, 0o640, 0o604, 0o602])
def test_a_history_file_others_can_read_or_write_is_refused(
    tmp_path: Path, base_answers: dict[str, Any], mode: int
) -> None:
    """An empty history.sqlite3 left (0666) in a shared folder by someone else does not get this user's answers."""
    db = tmp_path / "history.sqlite3"
    db.touch()
    os.chmod(db, mode)
    _refused_privately(db, base_answers, f"can be read or written by others (mode {mode:04o})")
    assert db.read_bytes() == b"" and _mode(db) == mode


def test_a_history_file_of_another_user_is_refused(
    tmp_path: Path, base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from backpain_cli.storage import store

    db = tmp_path / "history.sqlite3"
    _save(db, base_answers)
    before = db.read_bytes()
    monkeypatch.setattr(store, "_uid", lambda: os.getuid() + 1)  # as if the file were someone else's
    _refused_privately(db, base_answers, f"history file {db} belongs to another user (uid {os.getuid()})")
    assert db.read_bytes() == before


def test_an_empty_history_file_of_another_user_is_refused(
    tmp_path: Path, base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from backpain_cli.storage import store

    db = tmp_path / "history.sqlite3"
    db.touch(mode=0o600)
    monkeypatch.setattr(store, "_uid", lambda: os.getuid() + 1)
    _refused_privately(db, base_answers, "belongs to another user")
    assert db.read_bytes() == b""


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o705, 0o770, 0o777])
def test_a_history_in_a_folder_others_can_read_or_write_is_refused(
    tmp_path: Path, base_answers: dict[str, Any], mode: int
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o700)
    db = shared / "history.sqlite3"
    _save(db, base_answers)
    before = db.read_bytes()
    os.chmod(shared, mode)
    _refused_privately(db, base_answers, f"the folder {shared} holding the history {db} can be read or written")
    runner = CliRunner(env={"BACKPAIN_HOME": str(shared)})
    result = runner.invoke(app, ["assess", "--save"], input=json.dumps(base_answers))
    assert result.exit_code == 3, result.output
    assert db.read_bytes() == before


def test_a_private_history_in_a_sticky_shared_folder_is_used(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    """Like /tmp (1777): no one else can rename or delete our file there, so a private file of ours is fine."""
    shared = tmp_path / "tmp-like"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    db = shared / "h.sqlite3"
    result = CliRunner().invoke(app, ["assess", "--save", "--db", str(db)], input=json.dumps(base_answers))
    assert result.exit_code == 0, result.output
    assert _count(db) == 1 and _mode(db) == 0o600
    os.chmod(db, 0o644)  # but not a file others can read
    _refused_privately(db, base_answers, "can be read or written by others (mode 0644)")


def test_a_journal_others_can_write_beside_the_history_is_refused(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    db = tmp_path / "history.sqlite3"
    _save(db, base_answers)
    journal = Path(str(db) + "-journal")
    journal.write_bytes(b"")
    os.chmod(journal, 0o666)
    _refused_privately(db, base_answers, f"the file {journal} beside the history can be read or written")
    assert _count(db) == 1


def test_missing_parent_folders_are_made_0700_not_by_the_umask(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    home = tmp_path / "a" / "b" / "c"
    old = os.umask(0o022)
    try:
        result = CliRunner(env={"BACKPAIN_HOME": str(home)}).invoke(
            app, ["assess", "--save"], input=json.dumps(base_answers)
        )
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert [_mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", home)] == [0o700] * 3
    assert _mode(home / "history.sqlite3") == 0o600


# -- another program's database is refused untouched (issue 11, point 5) -------------------------------------

FOREIGN = textwrap.dedent(
    """
    import os, sqlite3, sys
    os.umask(0o077)  # private, so that nothing but its identity makes backpain refuse it
    path, kind = sys.argv[1], sys.argv[2]
    conn = sqlite3.connect(path, isolation_level=None)
    if kind.startswith("wal"):
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        if kind == "wal_app_id":
            conn.execute("PRAGMA application_id = 1234")
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('someone else''s data, only in the log')")
    else:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('someone else''s data')")
        if kind == "hot_journal":
            conn.execute("PRAGMA cache_size = 1")  # the change spills into the file itself, mid-transaction
            conn.execute("BEGIN")
            for i in range(100):
                conn.execute("INSERT INTO notes VALUES (?)", ("x" * 1000,))
            conn.execute("DELETE FROM notes WHERE rowid = 1")
    os._exit(0)  # stopped as by a crash: nothing is checkpointed, rolled back or closed
    """
)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("kind", ["wal", "wal_app_id", "hot_journal", "other_tables"])
def test_another_programs_database_is_refused_byte_for_byte_untouched(
    tmp_path: Path, base_answers: dict[str, Any], kind: str
) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    db = folder / "h.sqlite3"
    subprocess.run([sys.executable, "-c", FOREIGN, str(db), kind], check=True, timeout=60)
    sidecar = {"wal": "-wal", "wal_app_id": "-wal", "hot_journal": "-journal"}.get(kind)
    if sidecar:
        assert Path(str(db) + sidecar).stat().st_size > 0
    before = _files(folder)
    _assert_shown_but_not_saved(db, base_answers, "other program's SQLite database")
    for args in (["history", "--db", str(db)], ["history", "--db", str(db), "--delete-all", "--yes"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2 and "left untouched" in result.stderr, (args, result.output)
    assert _files(folder) == before
