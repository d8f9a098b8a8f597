"""TOTP second factor (pyotp), with replay of an already used code refused.

pyotp does not remember used codes, so each user keeps the last accepted time step; a code of that
step or an earlier one is refused even within its 30-second window.
"""

import hmac
import time

import pyotp
import segno

WINDOW = 1  # accept the previous and next 30-second step too (phone clocks drift)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG markup, rendered on the server (no external service)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff")


def matching_step(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The time step `code` belongs to, if it is valid and newer than `last_step`; else None."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // totp.interval)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if step > last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
