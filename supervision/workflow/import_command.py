"""The import command (`python -m supervision import`) run from the server or a job: the
admin page's uploads and the nightly drop folder both import this way.

The command runs the import in one more process under the memory limit
(SUPERVISION_IMPORT_MEMORY_MB) and the time limit (SUPERVISION_IMPORT_TIMEOUT_MINUTES) and
says in words why one stopped: the server's memory is not the import's, and a crash cannot
take the app down. The command records what it did in the audit trail; when it could not
say (killed, crashed), `Outcome.recorded` is False and the caller records the failure.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from supervision.data.import_process import (
    IMPORT_TIMEOUT_MINUTES,
    stopped_words,
    timeout_minutes,
    timeout_words,
)
from supervision.data.importer import TABLE_ORDER

TABLES = TABLE_ORDER            # the tables an import takes, in the order they refer to each other
UPLOAD_SUFFIXES = {".csv", ".xlsx", ".parquet"}
BACKSTOP_S = 120                # the command stops its worker at the limit; wait this long more


@dataclass(frozen=True)
class Outcome:
    figures: list[dict[str, Any]] | None   # per file, read back from the database
    error: str                              # in words; "" when figures
    recorded: bool                          # whether the command recorded it in the audit trail


def run(db: Path, files: dict[str, Path], rejects_dir: Path, actor: str,
        store_url: str | None = None) -> Outcome:
    """The import command on `files` (table → path): the figures it read back, or why it
    stopped (never a traceback)."""
    command = [sys.executable, "-m", "supervision", "import", "--db", str(db), "--json",
               "--rejects-dir", str(rejects_dir), "--actor", actor]
    if store_url:
        command += ["--store", store_url]
    for table, path in files.items():
        command += [f"--{table.replace('_', '-')}", str(path)]
    try:
        minutes = timeout_minutes()
    except ValueError:
        minutes = IMPORT_TIMEOUT_MINUTES   # the command refuses the setting and says why
    # its own session: on the backstop below, the command and its worker end together
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, errors="replace", start_new_session=True)
    try:
        out, err = proc.communicate(timeout=minutes * 60 + BACKSTOP_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return Outcome(None, timeout_words(minutes), recorded=False)
    if proc.returncode in (0, 1) and out.strip():
        try:
            return Outcome(json.loads(out.strip().splitlines()[-1]), "", recorded=True)
        except ValueError:
            pass
    said = [line for line in err.splitlines() if line.startswith("error: ")]
    if proc.returncode == 2 and said:
        return Outcome(None, said[-1].removeprefix("error: ").removesuffix(
            " (nothing was imported)"), recorded=True)
    how = (f"signal {-proc.returncode}" if proc.returncode < 0
           else f"exit code {proc.returncode}")
    return Outcome(None, stopped_words(how), recorded=False)
