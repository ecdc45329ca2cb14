"""Bearer tokens (OAuth2 password flow): signed, short-lived, checked against the user row
on every request so that a deactivated user is out at once."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

from cases.settings import Settings

ALGORITHM = "HS256"


def issue_token(*, username: str, settings: Settings, now: datetime) -> tuple[str, int]:
    lifetime = timedelta(minutes=settings.token_minutes)
    payload = {"sub": username, "iat": int(now.timestamp()), "exp": int((now + lifetime).timestamp())}
    token = jwt.encode(payload, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


def username_from(token: str, *, settings: Settings, now: datetime) -> str | None:
    """The token's user, or None when it is forged, malformed or expired (by our clock)."""
    try:
        payload = jwt.decode(
            token, settings.secret_key.get_secret_value(), algorithms=[ALGORITHM],
            options={"verify_exp": False, "require": ["sub", "exp"]},
        )
    except jwt.PyJWTError:
        return None
    if int(payload["exp"]) <= now.timestamp():
        return None
    sub = payload.get("sub")
    return sub if isinstance(sub, str) else None
