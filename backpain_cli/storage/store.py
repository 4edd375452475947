"""Saved assessments: a local SQLite database that only ever holds what the person asked to keep.

Where: `--db PATH`, else `$BACKPAIN_HOME/history.sqlite3`, else `history.sqlite3` in the user's data
directory (platformdirs). A directory this module creates is 0700 and the database file 0600, whatever the
umask; SQLite gives its journal the database's own mode.

Safety:
- Every write is one `BEGIN IMMEDIATE` transaction (rollback journal, busy timeout), so two processes saving
  at once both keep their record, and a process killed mid-save leaves the database as it was before.
- The file must be this user's and private (no permission for group or others), and so must the folder
  holding it, unless that folder is sticky like /tmp; otherwise it is refused, as ssh refuses loose keys.
- Before SQLite is handed a file for writing, its first bytes must be SQLite's and its header's
  `application_id` ours (or the file a brand-new empty one, with no journal or write-ahead log beside it), its
  `user_version` (the schema version) not newer than this code knows -- all read without writing anything, so
  another program's database is not rolled back or checkpointed; then `PRAGMA quick_check` must pass. Anything
  else is a `StoreError` (the CLI exits 2); the file is never written to, so never overwritten.
- `secure_delete` is on and deletions are followed by `VACUUM`, so deleted answers leave the file; temporary
  tables stay in memory.

Nothing here reaches the network. Imported only when a command touches the history (sqlite3 is not free).
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backpain_cli.core.i18n import _
from backpain_cli.storage.paths import DB_NAME as DB_NAME
from backpain_cli.storage.paths import HOME_VARIABLE as HOME_VARIABLE
from backpain_cli.storage.paths import default_path as default_path
from backpain_cli.storage.paths import resolve_path as resolve_path

#: `PRAGMA application_id`: "BKPN". Tells our database from any other SQLite file.
APPLICATION_ID = 0x424B504E
SQLITE_MAGIC = b"SQLite format 3\x00"
#: Seconds a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT = 30.0
#: Seconds a read that a result waits for (the last saved assessment, for `since_last`) may wait: never long.
READ_TIMEOUT = 0.5
#: Records read at a time by `Store.iter_records`.
READ_BATCH = 256

#: Schema migrations, in order; migration N (1-based) takes `user_version` N-1 to N. Append, never edit.
#: Each is a tuple of single statements (run inside one transaction; `executescript` would commit early).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE assessment (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            policy_version TEXT NOT NULL,
            contract_version INTEGER NOT NULL,
            level TEXT NOT NULL,
            pain_impact REAL NOT NULL,
            pain_intensity INTEGER NOT NULL,
            enjoyment_interference INTEGER NOT NULL,
            activity_interference INTEGER NOT NULL,
            risk_group TEXT NOT NULL,
            duration TEXT NOT NULL,
            duration_weeks REAL NOT NULL,
            answers TEXT NOT NULL CHECK (json_valid(answers)),
            result TEXT NOT NULL CHECK (json_valid(result))
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_SUMMARY = (
    "id, created_at, level, pain_impact, pain_intensity, enjoyment_interference, activity_interference, "
    "risk_group, duration, duration_weeks, policy_version"
)


class StoreError(Exception):
    """A problem with the history database, in words for the person. The CLI prints it and exits 2. `busy`: only
    because another process holds the database (trying again later may work)."""

    def __init__(self, message: str, busy: bool = False) -> None:
        super().__init__(message)
        self.busy = busy


@dataclass(frozen=True)
class Record:
    """One saved assessment. `answers` and `result` are loaded only when asked for (`full=True`)."""

    id: int
    date: str  #: when it was saved: UTC, ISO 8601 (`2026-11-27T09:30:00Z`)
    level: str
    pain_impact: float
    pain_intensity: int
    enjoyment_interference: int
    activity_interference: int
    risk_group: str
    duration: str
    duration_weeks: float
    policy_version: str
    answers: dict[str, Any] | None = None
    result: dict[str, Any] | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date,
            "level": self.level,
            "pain_impact": self.pain_impact,
            "pain_intensity": self.pain_intensity,
            "enjoyment_interference": self.enjoyment_interference,
            "activity_interference": self.activity_interference,
            "risk_group": self.risk_group,
            "duration": self.duration,
            "duration_weeks": self.duration_weeks,
            "policy_version": self.policy_version,
        }


def utc_now() -> str:
    """Now, as stored: UTC, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _row(answers: Mapping[str, Any], result: Mapping[str, Any], now: str | None) -> dict[str, Any]:
    scores = result["scores"]
    return {
        "created_at": now or utc_now(),
        "policy_version": str(result["policy_version"]),
        "contract_version": int(result.get("contract_version", 1)),
        "level": result["level"],
        "pain_impact": float(scores["pain_impact"]),
        "pain_intensity": int(answers["pain_intensity"]),
        "enjoyment_interference": int(answers["enjoyment_interference"]),
        "activity_interference": int(answers["activity_interference"]),
        "risk_group": scores["risk_group"],
        "duration": scores["duration"],
        "duration_weeks": float(answers["duration_weeks"]),
        "answers": _dumps(answers),
        "result": _dumps(result),
    }


def _record_of(record_id: int, row: Mapping[str, Any], answers: Mapping[str, Any], result: Mapping[str, Any]) -> Record:
    return Record(
        id=record_id,
        date=row["created_at"],
        level=row["level"],
        pain_impact=row["pain_impact"],
        pain_intensity=row["pain_intensity"],
        enjoyment_interference=row["enjoyment_interference"],
        activity_interference=row["activity_interference"],
        risk_group=row["risk_group"],
        duration=row["duration"],
        duration_weeks=row["duration_weeks"],
        policy_version=row["policy_version"],
        answers=dict(answers),
        result=dict(result),
    )


def unsaved_record(answers: Mapping[str, Any], result: Mapping[str, Any], now: str) -> Record:
    """The record `Store.save(answers, result, now)` would store, before it is saved (its `id` is 0)."""
    return _record_of(0, _row(answers, result, now), answers, result)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Store:
    """An open, checked, up-to-date history database. Use `open_store` to get one."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    # -- life cycle --------------------------------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def wait(self, seconds: float) -> None:
        """From now on, wait up to `seconds` for another process's transaction before giving up."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (`BEGIN IMMEDIATE`) so two writers queue instead of failing."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")  # busy (a reader holds on) leaves the transaction open: rolled back below
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    # -- writing -----------------------------------------------------------------------------------------

    def save(
        self, answers: Mapping[str, Any], result: Mapping[str, Any], now: str | None = None
    ) -> tuple[Record, Record | None]:
        """Store one assessment; return it and the one saved just before it (None if it is the first)."""
        row = _row(answers, result, now)
        with self._write() as conn:
            previous = self._latest(conn)
            new_id = self._insert(conn, row)
        return _record_of(new_id, row, answers, result), previous

    @staticmethod
    def _insert(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
        columns = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        cursor = conn.execute(f"INSERT INTO assessment ({columns}) VALUES ({marks})", row)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def latest(self) -> Record | None:
        """The assessment saved last (None if there is none)."""
        return self._latest(self.conn)

    def delete(self, record_id: int) -> bool:
        """Remove one assessment and compact the file so its bytes are gone. False if there is no such id."""
        with self._write() as conn:
            deleted = conn.execute("DELETE FROM assessment WHERE id = ?", (record_id,)).rowcount
        if deleted:
            self._vacuum()
        return bool(deleted)

    def delete_all(self) -> int:
        """Remove every assessment (numbering starts again at 1) and compact the file. Returns how many."""
        with self._write() as conn:
            deleted = conn.execute("DELETE FROM assessment").rowcount
            conn.execute("DELETE FROM sqlite_sequence WHERE name = 'assessment'")
        self._vacuum()
        return int(deleted)

    def _vacuum(self) -> None:
        # secure_delete has already zeroed the freed space; VACUUM rebuilds the file without it and truncates.
        self.conn.execute("VACUUM")

    # -- reading -----------------------------------------------------------------------------------------

    def records(self, full: bool = False) -> list[Record]:
        """Every saved assessment, oldest first (in the order saved)."""
        return list(self.iter_records(full))

    def iter_records(self, full: bool = False) -> Iterator[Record]:
        """Every saved assessment, oldest first, read READ_BATCH at a time, so that memory stays the same however
        long the history. Between batches no lock is held: a slow reader (an export piped into a pager) never
        keeps a save waiting. Records saved meanwhile come last; each record comes once."""
        columns = _SUMMARY + (", answers, result" if full else "")
        query = f"SELECT {columns} FROM assessment WHERE id > ? ORDER BY id LIMIT {READ_BATCH}"
        last = 0
        while True:
            rows = self.conn.execute(query, (last,)).fetchall()  # all fetched: the statement ends, its lock too
            yield from map(_record, rows)
            if len(rows) < READ_BATCH:
                return
            last = rows[-1][0]

    def exists(self, record_id: int) -> bool:
        return self.conn.execute("SELECT 1 FROM assessment WHERE id = ?", (record_id,)).fetchone() is not None

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM assessment").fetchone()[0])

    @staticmethod
    def _latest(conn: sqlite3.Connection) -> Record | None:
        row = conn.execute(f"SELECT {_SUMMARY} FROM assessment ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else _record(row)


def _record(row: tuple[Any, ...]) -> Record:
    answers = json.loads(row[11]) if len(row) > 11 else None
    result = json.loads(row[12]) if len(row) > 12 else None
    return Record(
        id=row[0],
        date=row[1],
        level=row[2],
        pain_impact=row[3],
        pain_intensity=row[4],
        enjoyment_interference=row[5],
        activity_interference=row[6],
        risk_group=row[7],
        duration=row[8],
        duration_weeks=row[9],
        policy_version=row[10],
        answers=answers,
        result=result,
    )


# -- opening ---------------------------------------------------------------------------------------------


def _not_ours(path: Path, what: str) -> StoreError:
    return StoreError(
        _(
            "{path} is not a backpain history database ({what}). It was left untouched. "
            "Move it away, or point backpain at another file with --db PATH or BACKPAIN_HOME."
        ).format(path=path, what=what)
    )


def _damaged(path: Path, problem: str) -> StoreError:
    return StoreError(
        _(
            "the history database {path} is damaged (SQLite says: {problem}). It was left untouched. "
            "Move it away (a copy may be recoverable with the sqlite3 tool's .recover), or use --db PATH."
        ).format(path=path, problem=problem)
    )


def _make_private_dir(directory: Path) -> None:
    """Create `directory` and any missing parents, each with mode 0700 whatever the umask."""
    missing = []
    folder = directory
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # another process made it: it is checked like any existing folder
        os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask; this is not


def _create_private_file(path: Path) -> None:
    """Create an empty file readable and writable by its owner only, before SQLite opens it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        return  # another process got there first; it is checked like any existing file
    try:
        if hasattr(os, "fchmod"):  # POSIX; a umask such as 0277 would otherwise leave 0400
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _uid() -> int | None:
    """Who must own the history: this process's user (None where there are no POSIX owners). A seam for the
    tests, which cannot give a file to another user without being root."""
    return os.getuid() if hasattr(os, "getuid") else None


#: Files SQLite keeps beside the database while it writes (rollback journal; write-ahead log and its index).
SIDECARS = ("-journal", "-wal", "-shm")


def _check_private(path: Path, st: os.stat_result, what: str, private: int) -> None:
    """`path` (already stat'ed; `what` names it in words) must be owned by this user and give no permission to
    group or others (`private` is the mode to suggest)."""
    uid = _uid()
    if uid is None:
        return
    mode = stat.S_IMODE(st.st_mode)
    if st.st_uid != uid:
        problem = _("belongs to another user (uid {uid})").format(uid=st.st_uid)
        fix = _("use a history of your own")
    elif mode & 0o077:
        problem = _("can be read or written by others (mode {mode})").format(mode=f"{mode:04o}")
        fix = _("make it private (chmod {mode} {path}), or use another history").format(mode=f"{private:o}", path=path)
    else:
        return
    raise StoreError(
        _(
            "{what} {problem}, so it was not used: someone else could read or change your answers. It was left "
            "untouched; {fix} (--db PATH or BACKPAIN_HOME)."
        ).format(what=what, problem=problem, fix=fix)
    )


def _check_ownership(path: Path, st: os.stat_result) -> None:
    """Like ssh with its keys: the history file must be this user's and private (0600 or less), and so must the
    folder holding it (0700 or less) -- unless that folder is sticky (like /tmp), where no one else can rename
    or delete our file. The files SQLite keeps beside it, if any, must be ours and private too (another user's
    journal could otherwise be rolled back into the history)."""
    _check_private(path, st, _("the history file {path}").format(path=path), 0o600)
    folder = Path(os.path.realpath(path)).parent
    try:
        folder_st = os.stat(folder)
    except OSError as exc:
        raise StoreError(
            _("cannot use the folder of the history database {path}: {why}").format(path=path, why=exc.strerror or exc)
        ) from None
    if not folder_st.st_mode & stat.S_ISVTX:
        _check_private(
            folder,
            folder_st,
            _("the folder {folder} holding the history {path}").format(folder=folder, path=path),
            0o700,
        )
    for suffix in SIDECARS:
        side = Path(str(path) + suffix)
        try:
            side_st = os.lstat(side)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreError(
                _("cannot use the history database {path}: {file}: {why}").format(
                    path=path, file=side, why=exc.strerror or exc
                )
            ) from None
        if not stat.S_ISREG(side_st.st_mode):
            raise _not_ours(path, _("{file} beside it is not a regular file").format(file=side))
        _check_private(side, side_st, _("the file {file} beside the history").format(file=side), 0o600)


def _check_file(path: Path) -> None:
    """Refuse anything at `path` that is not a private regular file of this user's, in a private folder,
    starting like an SQLite database (or empty)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise StoreError(
            _("cannot open the history database {path}: {why}").format(path=path, why=exc.strerror or exc)
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise _not_ours(path, _("it is not a regular file"))
    _check_ownership(path, st)
    if st.st_size == 0:
        return  # a new database (ours, created just now, or by a process stopped before its first commit)
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(
            _("cannot read the history database {path}: {why}").format(path=path, why=exc.strerror or exc)
        ) from None
    if head != SQLITE_MAGIC:
        raise _not_ours(path, _("it is not an SQLite database, or its start is damaged"))


def _sidecar_size(path: Path, suffix: str) -> int:
    try:
        return os.stat(str(path) + suffix).st_size
    except OSError:
        return 0


def _identify(path: Path) -> None:
    """Before the file is opened for writing: raise StoreError unless it is ours (by its header) or a new, empty
    database. Reads only: the header's bytes (user_version at offset 60, application_id at 68), and, for a file
    without our application_id, the schema through an `immutable=1` connection, which takes no lock and never
    reads a journal or write-ahead log -- so another program's database is never rolled back or checkpointed
    (as opening it for writing would do) before it is refused."""
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError as exc:
        raise StoreError(
            _("cannot read the history database {path}: {why}").format(path=path, why=exc.strerror or exc)
        ) from None
    wal = _sidecar_size(path, "-wal")
    if not head:
        if wal:
            raise _not_ours(path, _("it is some other program's SQLite database, in its write-ahead log"))
        return  # new (a journal beside an empty file can only roll it back to empty)
    if len(head) < 100:
        raise _not_ours(path, _("it is not an SQLite database, or its start is damaged"))
    app_id = int.from_bytes(head[68:72], "big")
    version = int.from_bytes(head[60:64], "big")
    if app_id == APPLICATION_ID:
        _check_identity(path, app_id, version, 1)  # ours: a newer schema is refused before it is opened
        return
    # Not ours (yet): only an empty database is taken, and backpain never uses a write-ahead log, so a file in
    # WAL mode (header bytes 18-19), or with a log or an unfinished transaction's journal beside it, is another
    # program's. (Our own first transaction writes our application_id in the same commit as the schema.)
    if app_id or version or head[18] == 2 or head[19] == 2 or wal or _sidecar_size(path, "-journal"):
        raise _not_ours(path, _("it is some other program's SQLite database"))
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True, isolation_level=None)
        try:
            objects = int(conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise store_error(path, exc) from None
    if objects:
        raise _not_ours(path, _("it is some other program's SQLite database"))


def open_store(path: Path, create: bool = True, timeout: float | None = None) -> Store | None:
    """Open the history at `path`, creating it (when `create`) or returning None (when not) if it is absent,
    waiting up to `timeout` seconds (default BUSY_TIMEOUT) for another process's transaction.
    Raises StoreError for anything that is not a sound backpain history of a schema this code knows, or that is
    not private to this user (file, folder)."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        if not create:
            return None
        try:
            _make_private_dir(path.parent)
            _create_private_file(path)
        except OSError as exc:
            raise StoreError(
                _("cannot create the history database {path}: {why}").format(path=path, why=exc.strerror or exc)
            ) from None
    _check_file(path)
    _identify(path)  # read-only: nothing is written to a file that is not ours
    try:
        # mode=rw: SQLite must never create the file itself (it would not be 0600 under a loose umask).
        conn = sqlite3.connect(
            path.resolve().as_uri() + "?mode=rw",
            uri=True,
            timeout=BUSY_TIMEOUT if timeout is None else timeout,
            isolation_level=None,
        )
    except sqlite3.Error as exc:
        raise StoreError(_("cannot open the history database {path}: {why}").format(path=path, why=exc)) from None
    try:
        store = Store(conn, path)
        _prepare(store)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise store_error(path, exc) from None
    except BaseException:
        conn.close()
        raise
    return store


def store_error(path: Path, exc: BaseException) -> StoreError:
    """An error from SQLite (or the file system) while using the history at `path`, in words for the person."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(
            _(
                "the history database {path} is busy (another backpain is writing to it); nothing was changed. "
                "Try again."
            ).format(path=path),
            busy=True,
        )
    if "malformed" in text:
        return _damaged(path, text)
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in text:
        return _not_ours(path, _("SQLite says: {problem}").format(problem=text))
    return StoreError(
        _("the history database {path} could not be used: {problem}. Nothing was changed.").format(
            path=path, problem=text
        )
    )


def _identity(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """(application_id, user_version, number of schema objects), read in one statement so that all three come
    from the same snapshot even while another process is creating the database."""
    row = conn.execute(
        "SELECT a.application_id, v.user_version, (SELECT count(*) FROM sqlite_schema) "
        "FROM pragma_application_id() AS a, pragma_user_version() AS v"
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def _check_identity(path: Path, app_id: int, version: int, objects: int) -> None:
    if app_id == 0 and version == 0 and objects == 0:
        return  # empty: a new database
    if app_id != APPLICATION_ID:
        raise _not_ours(path, _("it is some other program's SQLite database"))
    if version > SCHEMA_VERSION:
        raise StoreError(
            _(
                "the history database {path} was written by a newer version of backpain (history schema "
                "{version}; this version knows up to {known}). It was left untouched: upgrade backpain "
                "to use it."
            ).format(path=path, version=version, known=SCHEMA_VERSION)
        )


def _prepare(store: Store) -> None:
    conn, path = store.conn, store.path
    conn.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed, so deleted answers do not linger
    conn.execute("PRAGMA temp_store = MEMORY")  # VACUUM's copy and sorts never touch a temporary file
    app_id, version, objects = _identity(conn)
    _check_identity(path, app_id, version, objects)
    if objects:
        problems = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise _damaged(path, problems[0])
    if version < SCHEMA_VERSION:
        with store._write():
            # Checked again under the write lock: another process may have set it up meanwhile.
            app_id, version, objects = _identity(conn)
            _check_identity(path, app_id, version, objects)
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number - 1]:
                    conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextmanager
def opened(path: Path, create: bool = True, timeout: float | None = None) -> Iterator[Store | None]:
    """`open_store` as a context manager that closes the store, and turns any SQLite error into StoreError."""
    store = open_store(path, create, timeout)
    try:
        yield store
    except sqlite3.Error as exc:
        raise store_error(path, exc) from None
    finally:
        if store is not None:
            store.close()


def save_assessment(
    db_path: Path,
    answers: Mapping[str, Any],
    result: Mapping[str, Any],
    now: str | None = None,
    timeout: float | None = None,
) -> tuple[Record, Record | None]:
    """Open (creating if need be) the history at `db_path`, store one assessment, close, waiting up to `timeout`
    (default BUSY_TIMEOUT) for another process's transaction. Returns the new record and the one saved before
    it. Raises StoreError (its `busy` is true when the history stayed busy)."""
    with opened(db_path, timeout=timeout) as store:
        assert store is not None
        return store.save(answers, result, now)
