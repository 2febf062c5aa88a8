"""Where an export may write: never over the database, its sidecars or its backups.

    check_export_target(db_path, out, overwrite=False)   # raises ExportError

Refused, whatever the spelling of ``out``: the database file, its ``-wal``,
``-shm`` and ``-journal`` files, its backups folder (``<db>.backups``), any file
in it and any name inside it. Files are compared by identity (device and
inode), so ``./x/../DB``, a symlink or a hard link to the database is the
database. A sidecar that does not exist yet (``DB-wal`` while no viewer has it
open) is compared by its folder's identity and its name. Any other existing
file is replaced only with ``overwrite=True``; else TargetExists is raised and
the caller asks (the dialog) or names its option (the command's --force).

Exports write under temporary names beside the target that carry the writer's
pid (``.export-<pid>-*`` folders, ``.<name>.<pid>.*.tmp`` files);
remove_stale_temporaries clears those whose writer is dead (a killed export),
so a crash leaves no lasting litter.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from contextlib import suppress
from pathlib import Path

from viewer.core.store.backups import backups_dir

Identity = tuple[int, int]  # (st_dev, st_ino)
Place = tuple[Identity, str]  # (the folder's identity, the name): a file that may not exist

SIDECARS = {
    "-wal": "write-ahead log, which holds its latest saved edits",
    "-shm": "shared-memory index, used while it is open",
    "-journal": "rollback journal, which undoes an interrupted write",
}
STALE_SECONDS = 3600  # a temporary untouched this long is stale even if its pid is alive
EXPORT_DIR_PREFIX = ".export-"


class ExportError(Exception):
    """The export cannot be made; the message names the file or option and says why."""


class TargetExists(ExportError):
    """The target is an existing file (not the database's) and overwrite was not asked for."""


def check_export_target(db_path: str | Path, out: str | Path, *, overwrite: bool) -> None:
    """Raise ExportError when ``out`` is one of the database's files (see the module doc),
    a folder, or (TargetExists) an existing file while ``overwrite`` is False."""
    out = Path(out)
    reason = protected_reason(Path(db_path), out)
    if reason:
        raise ExportError(f"{out}: {reason}; choose another output file")
    if out.is_dir():
        raise ExportError(f"{out}: is a folder, not a file name")
    if not overwrite and os.path.lexists(out):
        raise TargetExists(f"{out}: exists")


def protected_reason(db_path: Path, out: Path) -> str | None:
    """Why writing ``out`` would harm the database at ``db_path``, or None."""
    target = _Target(out)
    # SQLite names the sidecars after the file it opened; a symlinked database
    # may have them beside the link or beside the real file: check both.
    for db in dict.fromkeys([db_path, Path(os.path.realpath(db_path))]):
        reason = _database_file_reason(db, target) or _backup_reason(db, target)
        if reason:
            return reason
    return None


class _Target:
    """The output as the file system sees it: its identity, its place, its folder's."""

    def __init__(self, out: Path):
        self.identity = file_identity(out)
        self.folder = file_identity(out.parent)  # not normalised: the OS resolves x/..
        self.place = None if self.folder is None else (self.folder, out.name)

    def is_(self, path: Path) -> bool:
        """The same file as ``path``, or the same place when either does not exist yet."""
        if self.identity is not None and self.identity == file_identity(path):
            return True
        return self.place is not None and self.place == place_of(path)


def _database_file_reason(db: Path, target: _Target) -> str | None:
    if target.is_(db):
        return "is the database itself"
    for suffix, what in SIDECARS.items():
        if target.is_(db.with_name(db.name + suffix)):
            return f"is the database's {suffix} file ({what})"
    return None


def _backup_reason(db: Path, target: _Target) -> str | None:
    folder = backups_dir(db)
    if target.is_(folder):
        return f"is the database's backups folder ({folder.name})"
    identity = file_identity(folder)
    if identity is None:
        return None
    if target.folder == identity:
        return f"is inside the database's backups folder ({folder.name})"
    if target.identity is not None and target.identity in _identities_in(folder):
        return f"is a backup of the database (in {folder.name})"  # a hard link or symlink to one
    return None


def _identities_in(folder: Path) -> set[Identity]:
    with suppress(OSError):
        return {i for p in folder.iterdir() if (i := file_identity(p)) is not None}
    return set()


def file_identity(path: str | Path) -> Identity | None:
    """(device, inode) of what ``path`` names (symlinks followed), or None."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return None
    return info.st_dev, info.st_ino


def place_of(path: Path) -> Place | None:
    folder = file_identity(path.parent)
    return None if folder is None else (folder, path.name)


# -- temporaries of exports: named with the writer's pid, cleared once it is dead ----------


def export_dir_prefix() -> str:
    """Prefix of a parallel export's part folder, for tempfile (holds this pid)."""
    return f"{EXPORT_DIR_PREFIX}{os.getpid()}-"


def temp_file_prefix(name: str) -> str:
    """Prefix of the temporary file that becomes ``name``, for tempfile (holds this pid)."""
    return f".{name}.{os.getpid()}."


_EXPORT_DIR = re.compile(re.escape(EXPORT_DIR_PREFIX) + r"(?:(\d+)-)?.+")


def _temp_file_pattern(name: str) -> re.Pattern[str]:
    # mkstemp adds 8 characters; older viewers wrote no pid (the group is then None).
    return re.compile(rf"\.{re.escape(name)}\.(?:(\d+)\.)?[a-z0-9_]{{8}}\.tmp")


def remove_stale_temporaries(out: str | Path) -> list[Path]:
    """Remove the part folders and temporary files of dead exports beside ``out``.

    Only this target's temporary files, and every export's part folders in
    that folder, and only those whose writer's pid is not running (or, for
    names without a pid or a reused pid, untouched for STALE_SECONDS).
    Returns what was removed.
    """
    out = Path(out)
    temp_file = _temp_file_pattern(out.name)
    removed = []
    with suppress(OSError):
        for entry in os.scandir(out.parent):
            if entry.is_dir(follow_symlinks=False):
                match = _EXPORT_DIR.fullmatch(entry.name)
            elif entry.is_file(follow_symlinks=False):
                match = temp_file.fullmatch(entry.name)
            else:
                continue
            if match and _is_stale(Path(entry.path), match.group(1)) and _remove(entry):
                removed.append(Path(entry.path))
    return removed


def _is_stale(path: Path, pid: str | None) -> bool:
    if pid is not None and not pid_alive(int(pid)):
        return True
    return time.time() - _last_change(path) > STALE_SECONDS


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (signal 0 checks without sending)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # OverflowError: not a possible pid
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _last_change(path: Path) -> float:
    """The newest modification time of ``path`` and, for a folder, of what it holds."""
    try:
        times = [path.stat().st_mtime]
        if path.is_dir():
            times += [entry.stat(follow_symlinks=False).st_mtime for entry in os.scandir(path)]
    except OSError:  # removed meanwhile
        return time.time()
    return max(times)


def _remove(entry: os.DirEntry[str]) -> bool:
    try:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    except OSError:  # removed meanwhile, or not ours to remove
        return False
    return True
