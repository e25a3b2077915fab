"""Chinese identity numbers' arithmetic: resident identity numbers (GB 11643), organization
codes (GB 11714) and unified social credit codes (GB 32100). Pure functions: the generator
draws valid numbers with them, the importer and supervision.security.personal recognise
them."""

from __future__ import annotations

import datetime as dt
import re

# GB 11643 / ISO 7064 MOD 11-2: position i (1..17) weighs 2^(18-i) mod 11
RESIDENT_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
RESIDENT_CHECK = "10X98765432"        # (sum mod 11) -> check character
# GB 32100: 31 characters (no I, O, S, V, Z); position i (1..17) weighs 3^(i-1) mod 31
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# GB 11714 organization code (characters 9–17 of a credit code): 8 characters and a check
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_RESIDENT = re.compile(r"^\d{17}[\dX]$")
_CREDIT = re.compile(rf"^[{CREDIT_CHARS}]{{2}}\d{{6}}[{CREDIT_CHARS}]{{10}}$")

def resident_check(first17: str) -> str:
    """The check character of a resident identity number (GB 11643: ISO 7064 MOD 11-2;
    'X' stands for 10)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("17 digits expected")
    return RESIDENT_CHECK[sum(int(c) * w for c, w in zip(first17, RESIDENT_WEIGHTS,
                                                         strict=True)) % 11]


def is_resident_id(number: str) -> bool:
    """An 18-character resident identity number: 6-digit region code, a real birth date
    (YYYYMMDD, from 1800), 3-digit sequence, the right check character."""
    if not _RESIDENT.match(number):
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return born.year >= 1800 and number[:2] != "00" and resident_check(number[:17]) == number[17]


def org_check(first8: str) -> str:
    """The check character of an organization code (GB 11714): '0'–'9' or 'X'."""
    value = sum((int(c) if c.isdigit() else ord(c) - ord("A") + 10) * w   # A = 10 … Z = 35
                for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    check = 11 - value % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def credit_check(first17: str) -> str:
    """The check character of a unified social credit code (GB 32100: mod 31)."""
    value = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - value % 31) % 31]


def is_credit_code(code: str) -> bool:
    """An 18-character unified social credit code with both its check characters right
    (the organization code's, 17th, and the code's own, 18th)."""
    return bool(_CREDIT.match(code)) and org_check(code[8:16]) == code[16] \
        and credit_check(code[:17]) == code[17]
