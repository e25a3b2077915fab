"""Settings from the environment, and the production-mode checks.

SUPERVISION_ENV is unset, `development` or `production` (ENVIRONMENTS); any other value is
an error, and is treated as production until fixed (fail closed). In production the app
refuses to start while it would be unsafe: demo users in the store, no users, a login
cookie key that is missing or guessable (a random per-start key would log everyone out at
each restart and differ between app servers), or a supervisor or administrator without a
second factor. `python -m supervision serve` prints each problem and exits before its
port opens; app.py shows them instead of the login form."""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
import string
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The allowed values of SUPERVISION_ENV (unset means DEVELOPMENT), declared once.
DEVELOPMENT, PRODUCTION = "development", "production"
ENVIRONMENTS = (DEVELOPMENT, PRODUCTION)

MIN_COOKIE_KEY = 32           # characters
MIN_COOKIE_KEY_BITS = 128     # estimated entropy (cookie_key_bits)
# a run of characters of constant step ("aaaa", "abcd", "2468") longer than this is a
# pattern: its further characters add no entropy
_FREE_RUN = 4


ROOT = Path(__file__).resolve().parent.parent
# outside production, without SUPERVISION_COOKIE_KEY: a random key made once on this
# machine, so that the server and the command line (which seals second-factor secrets)
# share it and a restart logs no one out. Never shipped; production requires the variable.
LOCAL_KEY_FILE = ROOT / "data" / ".server-key"
_local_key: str | None = None


def server_key() -> str:
    """The server's secret: SUPERVISION_COOKIE_KEY; outside production without it, the
    machine's local key (SUPERVISION_KEY_FILE, default data/.server-key, made on first use
    with mode 0600). No key ships in the repository; every server of one installation
    shares it."""
    return os.environ.get("SUPERVISION_COOKIE_KEY") or local_key()


def local_key() -> str:
    """The local key file's key, made atomically by the first process that needs it (a
    process that cannot write there keeps a random key of its own)."""
    global _local_key
    path = Path(os.environ.get("SUPERVISION_KEY_FILE") or LOCAL_KEY_FILE)
    if _local_key is None:
        try:
            _local_key = _read_or_make_key(path)
        except OSError:
            _local_key = secrets.token_hex(32)
    return _local_key


def _read_or_make_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(draft, path)        # atomic: the first process's key wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < MIN_COOKIE_KEY:
        raise OSError(f"{path} holds no key")
    return key


def derived_key(purpose: str) -> bytes:
    """A key for one purpose (cookies, respondent references …) derived from server_key(),
    so that one secret serves each use without one use revealing another's key."""
    return hmac.new(server_key().encode("utf-8"), purpose.encode("utf-8"),
                    hashlib.sha256).digest()


# the court's time zone: every time the app shows (audit trail, histories, imports,
# exports) is stored in UTC and shown in this zone, named in its column header
DEFAULT_TIMEZONE = "Asia/Shanghai"


def timezone_name() -> str:
    """SUPERVISION_TIMEZONE (an IANA name such as Asia/Urumqi), default Asia/Shanghai; an
    unknown name is reported by `timezone_problem` and DEFAULT_TIMEZONE is used meanwhile."""
    name = os.environ.get("SUPERVISION_TIMEZONE", "").strip() or DEFAULT_TIMEZONE
    return DEFAULT_TIMEZONE if timezone_problem(name) else name


def timezone_problem(name: str) -> str | None:
    """Why `name` is not a time zone this machine knows, or None."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return (f"SUPERVISION_TIMEZONE={name} is not a known time zone: use an IANA name "
                f"such as {DEFAULT_TIMEZONE}")
    return None


def environment() -> str:
    """SUPERVISION_ENV, normalized: "" (unset) is DEVELOPMENT; any other value is returned
    as given (lower case) and is not one of ENVIRONMENTS."""
    return os.environ.get("SUPERVISION_ENV", "").strip().lower() or DEVELOPMENT


def is_production() -> bool:
    """Production rules apply: SUPERVISION_ENV=production, and also any value that is not
    an allowed one (a misspelling such as `prod` must not switch the checks off)."""
    return environment() != DEVELOPMENT


def cookie_key_bits(key: str) -> float:
    """An estimate of the key's entropy in bits, on the cautious side: the character classes
    it draws on give the bits per character (hex 4, letters and digits about 6, …), capped
    by how many different characters it really uses; a key that repeats a shorter block
    counts only that block, and runs of constant step ("aaaa…", "abcd…") count only their
    first few characters. A random hex key of 32 characters (128 bits) passes; one letter
    repeated, a few letters shuffled, a repeated block or the alphabet do not."""
    if not key:
        return 0.0
    per_char = min(math.log2(_alphabet(key)), math.log2(len(set(key))) + 1)
    return per_char * min(_period(key), len(key) - _run_excess(key))


def _alphabet(key: str) -> int:
    if all(c in string.hexdigits for c in key) and key in (key.lower(), key.upper()):
        return 16
    classes = ((string.digits, 10), (string.ascii_lowercase, 26),
               (string.ascii_uppercase, 26), (string.punctuation + " ", 33))
    size = sum(n for chars, n in classes if any(c in chars for c in key))
    return size + (100 if any(not c.isascii() for c in key) else 0)


def _period(key: str) -> int:
    """The length of the shortest block the key repeats (its own length if none)."""
    n = len(key)
    for p in range(1, n // 2 + 1):
        if all(key[i] == key[i % p] for i in range(p, n)):
            return p
    return n


def _run_excess(key: str) -> int:
    """Characters beyond the first _FREE_RUN of every run of constant step."""
    excess, run = 0, 1
    for i in range(1, len(key)):
        step = ord(key[i]) - ord(key[i - 1])
        run = run + 1 if i >= 2 and step == ord(key[i - 1]) - ord(key[i - 2]) else 2
        excess += run > _FREE_RUN
    return excess


def cookie_key_problem(key: str) -> str | None:
    """Why SUPERVISION_COOKIE_KEY is not good enough for production, or None."""
    advice = ("generate one with `python -c 'import secrets; print(secrets.token_hex(32))'`")
    if len(key) < MIN_COOKIE_KEY:
        return (f"SUPERVISION_COOKIE_KEY must be set to a random secret of at least "
                f"{MIN_COOKIE_KEY} characters ({'unset' if not key else f'{len(key)} given'}): "
                f"{advice}")
    bits = cookie_key_bits(key)
    if bits < MIN_COOKIE_KEY_BITS:
        return (f"SUPERVISION_COOKIE_KEY is guessable (about {bits:.0f} bits of entropy, at "
                f"least {MIN_COOKIE_KEY_BITS} needed: repeated characters or blocks, runs or "
                f"too few different characters): {advice}")
    return None


# bcrypt's cost for new password hashes; SUPERVISION_BCRYPT_ROUNDS may lower it for the
# test suite only (tests/conftest.py), and production refuses a lower one.
BCRYPT_ROUNDS = 12


def bcrypt_rounds() -> int:
    """SUPERVISION_BCRYPT_ROUNDS where it is a whole number from 4 to 31, else BCRYPT_ROUNDS."""
    value = os.environ.get("SUPERVISION_BCRYPT_ROUNDS", "").strip()
    return int(value) if value.isdigit() and 4 <= int(value) <= 31 else BCRYPT_ROUNDS


def bcrypt_rounds_problem() -> str | None:
    """Why SUPERVISION_BCRYPT_ROUNDS must not be used in production, or None."""
    value = os.environ.get("SUPERVISION_BCRYPT_ROUNDS", "").strip()
    if value and not (value.isdigit() and BCRYPT_ROUNDS <= int(value) <= 31):
        return (f"SUPERVISION_BCRYPT_ROUNDS={value} lowers the password hashes' cost below "
                f"{BCRYPT_ROUNDS} (for tests only): unset it")
    return None
