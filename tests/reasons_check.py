"""What a person checks of a refusal, shared by the rules tests: its stable code, the
article it rests on, and a real sentence in each language (not a code, not empty)."""

from __future__ import annotations

from collections.abc import Iterable

from rules.reasons import Basis, Reason


def arabic_letters(text: str) -> int:
    return sum("\u0600" <= ch <= "\u06ff" and ch.isalpha() for ch in text)


def latin_letters(text: str) -> int:
    return sum(ch.isalpha() and ch.isascii() for ch in text)


def assert_reason(reason: Reason, code: str, basis: Basis | None, *, min_letters: int = 25) -> None:
    assert reason.code == code
    assert reason.basis == basis
    # names quoted from a file may be in either script; the sentence itself may not
    assert latin_letters(reason.message.fr) > min_letters
    assert arabic_letters(reason.message.ar) > min_letters


def codes(reasons: Iterable[Reason]) -> list[str]:
    return [r.code for r in reasons]
