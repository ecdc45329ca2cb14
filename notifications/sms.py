"""What an SMS costs: its encoding and its number of parts.

A text made only of GSM 03.38 characters travels in 7-bit septets (160 in one part, 153 per
part once split, the rest of each part carrying the concatenation header); one other
character, an Arabic letter or a French "ç" or "ê", turns the whole text into UCS-2 (70
characters, 67 per part). Characters of the GSM extension table cost two septets, and a part
never splits such a pair nor a UTF-16 surrogate pair, so the count is made by filling parts
rather than by dividing a length.
"""

from __future__ import annotations

from typing import Literal

Encoding = Literal["gsm7", "ucs2"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

LIMITS: dict[Encoding, tuple[int, int]] = {"gsm7": (160, 153), "ucs2": (70, 67)}


def encoding(text: str) -> Encoding:
    return "gsm7" if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text) else "ucs2"


def _units(text: str, enc: Encoding) -> list[int]:
    """The cost of each character in the encoding's units (septets or UTF-16 code units)."""
    if enc == "gsm7":
        return [2 if c in GSM7_EXTENDED else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def segments(text: str) -> int:
    """How many parts the network carries (and the operator bills) for this text."""
    enc = encoding(text)
    single, multi = LIMITS[enc]
    units = _units(text, enc)
    if sum(units) <= single:
        return 1
    parts, used = 1, 0
    for cost in units:
        if used + cost > multi:
            parts, used = parts + 1, 0
        used += cost
    return parts
