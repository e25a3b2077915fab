"""The limits an import runs under and the words that say why one stopped: the import
command (`python -m supervision import`) reads them before it starts its worker process,
without loading the importer itself (polars, DuckDB, Arrow: a third of a second per
command)."""

from __future__ import annotations

import math
import os

DUCKDB_MEMORY_MB = 1024     # DuckDB's share of an import's memory, at most (it spills beyond)
# An import runs in a process of its own (`python -m supervision import`, also what the
# admin page calls), under a memory limit and a time limit. The limit is RLIMIT_DATA, the
# process's private writable memory, which is what an import grows: RLIMIT_AS also counts
# the address space the allocators of polars, DuckDB and Arrow reserve without using, and
# at 2,048 MB refused a 250,000-row CSV that needs 380 MB. Measured on 2 cores: the 1 M-row
# CSV import (0.99 GB resident) needs a limit of 2,560 MB, the 10 M-cell XLSX 2.5 GB; 4,096
# MB leaves room for them and bounds a hostile file well inside this 24 GB server.
IMPORT_MEMORY_MB = 4096      # SUPERVISION_IMPORT_MEMORY_MB
IMPORT_TIMEOUT_MINUTES = 30  # SUPERVISION_IMPORT_TIMEOUT_MINUTES (10 M CSV rows take ~2)


def _setting(name: str, default: float, kind: type = int) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(f"{name} must be a {'whole ' if kind is int else ''}number, "
                         f"not {text!r}") from None
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"{name} must be above 0, not {text}")
    return value


def memory_limit_mb() -> int:
    """The memory an import may use, in MB (SUPERVISION_IMPORT_MEMORY_MB)."""
    return _setting("SUPERVISION_IMPORT_MEMORY_MB", IMPORT_MEMORY_MB)


def timeout_minutes() -> float:
    """How long an import may run (SUPERVISION_IMPORT_TIMEOUT_MINUTES, may be a fraction)."""
    return _setting("SUPERVISION_IMPORT_TIMEOUT_MINUTES", IMPORT_TIMEOUT_MINUTES, float)


def limit_memory(mb: int | None = None) -> int:
    """Hold this process to `mb` MB of private writable memory (RLIMIT_DATA; an allocation
    beyond it fails). Called by the import's own process, never by the app's."""
    import resource

    mb = mb or memory_limit_mb()
    limit = mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    return mb


def duckdb_memory_limit(mb: int | None = None) -> str:
    """DuckDB's share: a quarter of the import's limit, at most DUCKDB_MEMORY_MB."""
    mb = mb or memory_limit_mb()
    return f"{min(DUCKDB_MEMORY_MB, max(mb // 4, 64))}MB"


def memory_words(mb: int | None = None) -> str:
    mb = mb or memory_limit_mb()
    return (f"导入这个文件所需的内存超过 {mb:,} MB 上限，已停止；请拆分文件或另存为 CSV / "
            f"the file needs more memory than {mb:,} MB allows; split it or save it as CSV")


def timeout_words(minutes: float | None = None) -> str:
    minutes = minutes or timeout_minutes()
    return (f"导入超过 {minutes:g} 分钟仍未完成，已停止；请拆分文件 / the import took longer "
            f"than {minutes:g} minutes and was stopped; split the file")


def stopped_words(how: str) -> str:
    return (f"导入进程意外停止（{how}），请联系管理员查看审计日志 / the import process stopped "
            f"unexpectedly ({how}); the audit trail holds the details")


# what the libraries say when an allocation fails (Rust, C++, Python, DuckDB, OpenBLAS,
# jemalloc), or when a thread cannot be started for want of memory (EAGAIN)
_MEMORY_TEXT = ("memory allocation", "allocation failed", "MemoryError", "bad_alloc",
                "out of memory", "OutOfMemory", "cannot allocate", "failed to allocate",
                "thread creation failed", "failed to spawn thread", "can't start new thread",
                # polars' thread pool (rayon) when the limit leaves no room for its stacks
                "ThreadPoolBuildError", "Resource temporarily unavailable",
                "cannot map zero-fill pages", "failed to map segment")


def is_memory_failure(text: str) -> bool:
    """Whether an error's text says that memory ran out."""
    return any(m.lower() in text.lower() for m in _MEMORY_TEXT)
