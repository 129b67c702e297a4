"""Exceptions mean "cannot continue"; problems with data are :class:`~newspkg.issues.Issue` values.

::

    NewspkgError                 base of everything newspkg raises on purpose
    ├── ConfigError              bad project layout, source.toml, schema or option (exit code 2)
    ├── PackageError             a package that cannot even be read (missing descriptor, bad JSON)
    └── BuildError               a build that cannot finish (its cache changed under it)
        ├── BuildBusy            another build of the dataset is running (exit code 3)
        └── DiskFull             the disk or the quota is full (exit code 4)
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path


class NewspkgError(Exception):
    """Base class: newspkg cannot continue."""


class ConfigError(NewspkgError):
    """The configuration is wrong; the message says what to fix."""


class PackageError(NewspkgError):
    """A data package cannot be opened at all."""


class BuildError(NewspkgError):
    """A build cannot finish; the message says why and what to do."""


class BuildBusy(BuildError):
    """Another build of the same dataset holds its lock."""


class DiskFull(BuildError):
    """A write failed for want of space (ENOSPC) or quota (EDQUOT); the message names the file."""


@contextlib.contextmanager
def disk_full_stops(path: Path | str) -> Iterator[None]:
    """A full disk or quota while writing ``path`` (a file, or a SQLite database) becomes
    :class:`DiskFull`, naming it."""
    try:
        yield
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise DiskFull(_disk_full(path, error.errno)) from None
    except sqlite3.Error as error:
        if getattr(error, "sqlite_errorcode", None) != sqlite3.SQLITE_FULL:
            raise
        raise DiskFull(_disk_full(path, errno.ENOSPC)) from None


def _disk_full(path: Path | str, number: int) -> str:
    return f"{path}: {os.strerror(number)} (nothing was replaced): free space, then retry"
