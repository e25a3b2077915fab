"""Personal information: respondents' ID numbers (PIPL; MLPS level 3).

- An ID number is shown and exported masked (`mask_id`, the one rule for every length)
  unless the user's role declares full numbers (`vocabulary.Role.full_id_numbers`);
  `mask_frame` applies that where a view returns its data, given the Access.
- A respondent is addressed by a keyed reference (`reference`): HMAC-SHA256 of the ID
  number under the server's secret (`config.derived_key("respondent")`), truncated to 128
  bits — never the number, never an unkeyed hash of it (an MD5 of an 18-character resident
  identity number is reversed in about a second once region and birth year are known).
  The queries compute the same HMAC in SQL from `reference_params()`.
- `scrub_id_numbers` masks anything shaped like an ID number in free text (the audit
  trail), `might_identify` tells whether a search text may hold one (kept out of URLs).
- The check characters: resident identity numbers (GB 11643, ISO 7064 MOD 11-2) and
  unified social credit codes (GB 32100, with the GB 11714 organization code inside).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import unicodedata
from collections import OrderedDict
from typing import TYPE_CHECKING

import polars as pl

from supervision import config
from supervision.domain import vocabulary
from supervision.domain.id_numbers import CREDIT_CHARS

if TYPE_CHECKING:
    from supervision.security.access import Access

REFERENCE_PURPOSE = "respondent"
REFERENCE_HEX = 32          # 128 bits of the HMAC (RFC 4868's truncation)
REFERENCE = re.compile(rf"^[0-9a-f]{{{REFERENCE_HEX}}}$")
MASK = "*"

# ID-number shapes in free text: 18-character resident numbers, the old 15-digit ones,
# unified social credit codes (in either case); not inside a longer run of letters or digits
_ID_SHAPED = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15}"
                        rf"|(?i:[{CREDIT_CHARS}]{{2}}\d{{6}}[{CREDIT_CHARS}]{{10}}))"
                        r"(?![0-9A-Za-z])")
# a fragment of one: eight or more letters and digits in a row, six or more of them digits
_RUN = re.compile(r"[0-9A-Za-z]{8,}")


# ---------------------------------------------------------------- masking


def mask_id(number: str | None) -> str | None:
    """An ID number as shown to a role without full numbers; the same length, the middle
    starred. The rule, by length (after surrounding spaces are dropped):

    - 15 or more (resident identity numbers, 18 or the old 15; unified social credit
      codes, 18): the first 6 and the last 2 kept — `460100**********59`;
    - 9 to 14 (organization codes, passports …): the first 2 and the last 2;
    - 4 to 8: the first and the last;
    - 3 or fewer: every character starred.
    """
    if number is None:
        return None
    text = number.strip()
    n = len(text)
    head, tail = (6, 2) if n >= 15 else (2, 2) if n >= 9 else (1, 1) if n >= 4 else (0, 0)
    return text[:head] + MASK * (n - head - tail) + text[n - tail:] if tail else MASK * n


def sees_full_ids(access: Access) -> bool:
    """Whether the user's role declares full ID numbers (the president's)."""
    role = vocabulary.ROLE_BY_CODE.get(access.role)
    return bool(role and role.full_id_numbers)


def mask_frame(frame: pl.DataFrame, access: Access,
               columns: tuple[str, ...] = ("respondent_id",)) -> pl.DataFrame:
    """`frame` with its ID-number columns masked unless the role sees full numbers."""
    present = [c for c in columns if c in frame.columns]
    if sees_full_ids(access) or not present or frame.height == 0:
        return frame
    return frame.with_columns(
        pl.col(c).map_elements(mask_id, return_dtype=pl.String, skip_nulls=True)
        for c in present)


def scrub_id_numbers(text: str) -> str:
    """`text` with everything shaped like an ID number (resident, old resident, unified
    social credit code) masked by `mask_id`; anything else left as it is."""
    return _ID_SHAPED.sub(lambda m: mask_id(m.group(0)) or "", text)


def might_identify(text: str | None) -> bool:
    """Whether a search text may hold an ID number or a fragment of one (so it is not
    written into a URL): an ID-shaped run, or 8+ letters and digits in a row with 6+
    digits. Case numbers (`（2026）琼0105执123号`) and names do not."""
    if not text:
        return False
    text = unicodedata.normalize("NFKC", text)
    if _ID_SHAPED.search(text):
        return True
    return any(sum(ch.isdigit() for ch in run) >= 6 for run in _RUN.findall(text))


# ---------------------------------------------------------------- keyed references


def _key() -> bytes:
    return config.derived_key(REFERENCE_PURPOSE)


def reference(number: str, key: bytes | None = None) -> str:
    """The keyed reference of a respondent: HMAC-SHA256 of its ID number under the
    server's respondent key, the first 128 bits in hex."""
    digest = hmac.new(_key() if key is None else key, number.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:REFERENCE_HEX]


def reference_params(key: bytes | None = None) -> dict[str, bytes]:
    """The parameters the queries compute `reference` from, in SQL:
    `substr(sha256($ref_outer || unhex(sha256($ref_inner || encode(respondent_id)))), 1, 32)`
    is HMAC-SHA256 (RFC 2104) with the key's inner and outer pads given here."""
    key = _key() if key is None else key
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return {"ref_inner": bytes(b ^ 0x36 for b in key),
            "ref_outer": bytes(b ^ 0x5C for b in key)}


def is_reference(text: str | None) -> bool:
    """Whether `text` has the shape of a reference (what a URL may carry)."""
    return bool(text and REFERENCE.match(text))


# The references the views handed out lately, with their numbers, in this process's memory
# only: opening a respondent just found (search, related cases) then reads its cases by
# number instead of computing the HMAC of every case in scope (a copied link, or one older
# than these entries, still finds them that way).
KNOWN_REFERENCES = 20_000
_known: OrderedDict[str, str] = OrderedDict()
_known_lock = threading.Lock()


def remember(frame: pl.DataFrame, key_column: str = "respondent_key",
             number_column: str = "respondent_id") -> None:
    """Keep the (reference, number) pairs of a view's rows before they are masked."""
    if frame.height == 0:
        return
    with _known_lock:
        for ref, number in zip(frame[key_column].to_list(), frame[number_column].to_list(),
                               strict=True):
            _known[ref] = number
            _known.move_to_end(ref)
        while len(_known) > KNOWN_REFERENCES:
            _known.popitem(last=False)


def known_number(ref: str) -> str | None:
    """The number of a reference handed out lately by this process, if any."""
    with _known_lock:
        return _known.get(ref)
