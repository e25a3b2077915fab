"""Every case in memory, kept on disk beside the data version it was read from, so that a
server's next start maps the cases instead of reading them again.

Every case the rankings and the 3+1 indices count, whatever the date (metrics._memory_cases),
is read by a query that takes several seconds at 10 M cases, on every start of the server,
on the two cores the first user's browser needs too. A served version's data never change
(supervision.data.db.connect_current_version), so the columns a query returned for every
case (no subset) are written once as .npy files in
`<version link>.arrays/<query>-<digest>/` and later memory-mapped (`np.load(mmap_mode="r")`:
no read, the pages come from the file as they are used). The digest covers FORMAT (what
the Python that reads the arrays expects of them: raised with any change to it), the
query's text and every parameter bound to it, so another query, another reader (a new
release of the app) or other parameters never meet the files of an old one. A folder
appears whole or not at all (written under a scratch name, then renamed); one that cannot
be read is read from the database again; a scratch folder whose writer died is removed by
the next writer. supervision.data.db removes a replaced version's folder with its link.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from supervision.data.queries import load_sql

log = logging.getLogger(__name__)
SUFFIX = ".arrays"
# the layout supervision.engine.memory_counts reads (raise it when that reading changes)
FORMAT = 2


def folder_of(version: str, name: str, params: dict[str, Any], label: str | None = None
              ) -> Path:
    """Where the columns of queries/<name>.sql with `params` are kept for `version` (a
    version link's path); `label`: the folder of something derived from them (its own
    format among `params`)."""
    sql, _needed = load_sql(name)
    digest = hashlib.sha256(json.dumps([FORMAT, sql, params], sort_keys=True, default=str)
                            .encode()).hexdigest()[:16]
    return Path(version + SUFFIX) / f"{label or name}-{digest}"


def kept(version: str, name: str, params: dict[str, Any],
         read: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The columns of queries/<name>.sql with `params` on `version`: mapped from the folder
    kept for them, else `read()` and kept (best effort: a folder that cannot be written is
    only logged)."""
    folder = folder_of(version, name, params)
    if folder.is_dir():
        try:
            return {p.stem: np.load(p, mmap_mode="r") for p in sorted(folder.glob("*.npy"))}
        except (OSError, ValueError):
            log.warning("%s: unreadable, read again", folder)
            shutil.rmtree(folder, ignore_errors=True)
    arrays = read()
    _write(folder, arrays)
    return arrays


def kept_folder(folder: Path, write: Callable[[Path], None]) -> Path | None:
    """`folder`, written by `write(scratch)` first if it is not there yet (the scratch
    folder renamed into place once written); None when it cannot be written."""
    if not folder.is_dir():
        _write_with(folder, write)
    return folder if folder.is_dir() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:      # another user's process
        return True
    return True


def _clean_scratch(parent: Path) -> None:
    """Remove the scratch folders (`.<name>.<pid>.<thread>`) of writers that died."""
    for scratch in parent.glob(".*.*.*") if parent.is_dir() else ():
        pid = scratch.name.rsplit(".", 2)[-2]
        if scratch.is_dir() and pid.isdigit() and not _alive(int(pid)):
            log.warning("%s: a writer's scratch folder, its writer gone: removed", scratch)
            shutil.rmtree(scratch, ignore_errors=True)


def _write(folder: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write the columns under a name of this thread's, then rename the folder into place:
    another process or thread sees it whole or not at all."""
    def columns(scratch: Path) -> None:
        for column, array in arrays.items():
            np.save(scratch / f"{column}.npy", np.ascontiguousarray(array))

    _write_with(folder, columns)


def _write_with(folder: Path, write: Callable[[Path], None]) -> None:
    """`write(scratch)` into a folder of this thread's, then rename it into place."""
    _clean_scratch(folder.parent)
    scratch = folder.with_name(f".{folder.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        scratch.mkdir(parents=True)
        write(scratch)
        os.rename(scratch, folder)
    except OSError as exc:      # a read-only folder, a full disk, or another writer first
        if not folder.is_dir():
            log.warning("%s: not kept (%s)", folder, exc)
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(scratch)
