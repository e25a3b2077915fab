"""Secrets kept at rest in the operational store, sealed: AES-256-GCM under a key derived
from the server's secret for one purpose. A copy of the store (a backup, a stolen file)
then holds no usable second-factor secret without the server's key. Changing the server
key makes sealed values unreadable: those users enroll again."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from supervision import config

PREFIX = "aesgcm1:"
NONCE_BYTES = 12


def seal(plain: str, purpose: str) -> str:
    """`plain` encrypted and authenticated for `purpose` (also bound as associated data)."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(config.derived_key(purpose)).encrypt(nonce, plain.encode("utf-8"),
                                                          purpose.encode("utf-8"))
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(value: str | None, purpose: str) -> str | None:
    """The plain text of a sealed value, or None when there is none or it cannot be opened
    (another server key, another purpose, tampered with, not sealed)."""
    if not value or not value.startswith(PREFIX):
        return None
    try:
        raw = base64.urlsafe_b64decode(value[len(PREFIX):].encode("ascii"))
        plain = AESGCM(config.derived_key(purpose)).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode("utf-8"))
    except (InvalidTag, ValueError):
        return None
    return plain.decode("utf-8")
