"""Where the history lives, without importing the store (sqlite3): `--db PATH`, else
`$BACKPAIN_HOME/history.sqlite3`, else `history.sqlite3` in the user's data directory (platformdirs)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DB_NAME = "history.sqlite3"
HOME_VARIABLE = "BACKPAIN_HOME"


def default_path(environ: Mapping[str, str]) -> Path:
    """`$BACKPAIN_HOME/history.sqlite3`, else the user's data directory (e.g. ~/.local/share/backpain)."""
    home = environ.get(HOME_VARIABLE)
    if home:
        return Path(home).expanduser() / DB_NAME
    import platformdirs  # only when neither --db nor BACKPAIN_HOME says where

    return platformdirs.user_data_path("backpain", appauthor=False) / DB_NAME


def resolve_path(db: str | os.PathLike[str] | None, environ: Mapping[str, str]) -> Path:
    return Path(db).expanduser() if db else default_path(environ)


def is_same_file(path: str | os.PathLike[str], other: str | os.PathLike[str]) -> bool:
    """Whether `path` and `other` name one file: the same real path (through symbolic links, also for files not
    yet made), or the same file on disk (hard links, bind mounts)."""
    if os.path.realpath(os.path.expanduser(path)) == os.path.realpath(os.path.expanduser(other)):
        return True
    try:
        return os.path.samefile(os.path.expanduser(path), os.path.expanduser(other))
    except (OSError, ValueError):
        return False
