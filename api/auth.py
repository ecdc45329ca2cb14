"""Bearer tokens (OAuth2 password flow): signed, short-lived, checked against the user row
on every request so that a deactivated user is out at once."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

from cases.settings import Settings

ALGORITHM = "HS256"


def issue_token(*, username: str, settings: Settings, now: datetime, epoch: int = 0) -> tuple[str, int]:
    """`epoch` is the account's `sessions_epoch`: a password reset or a deactivation moves
    it on, and every token signed before then stops working at once."""
    lifetime = timedelta(minutes=settings.token_minutes)
    payload = {"sub": username, "iat": int(now.timestamp()), "exp": int((now + lifetime).timestamp()),
               "gen": epoch}
    token = jwt.encode(payload, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


def username_from(token: str, *, settings: Settings, now: datetime) -> tuple[str, int] | None:
    """The token's user and sessions epoch, or None when it is forged, malformed or
    expired (by our clock). Tokens signed before epochs existed are of epoch 0."""
    try:
        payload = jwt.decode(
            token, settings.secret_key.get_secret_value(), algorithms=[ALGORITHM],
            options={"verify_exp": False, "require": ["sub", "exp"]},
        )
    except jwt.PyJWTError:
        return None
    if int(payload["exp"]) <= now.timestamp():
        return None
    sub, epoch = payload.get("sub"), payload.get("gen", 0)
    return (sub, epoch) if isinstance(sub, str) and isinstance(epoch, int) else None
