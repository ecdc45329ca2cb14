"""Telephone numbers as the SMS gateway wants them: E.164, checked against the numbering plan.

People write Moroccan mobiles the local way (06 12 34 56 78, 0712-345678) or the
international way (+212 6..., 00212 6...); the gateway takes one form, +2126... A number
that cannot be a real one is refused where it is typed (the contact-saving code calls
`e164`), and a message to a number that cannot take an SMS fails at once with the reason,
rather than after a round of retries at the gateway.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

DEFAULT_REGION = "MA"

_TAKES_SMS = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


class InvalidPhone(ValueError):
    """A number that is not a valid telephone number (the message says why)."""


def e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """+2126XXXXXXXX from any usual way of writing the number; InvalidPhone otherwise."""
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException as exc:
        raise InvalidPhone(f"{raw!r} is not a telephone number ({exc})") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(f"{raw!r} is not a valid telephone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sms_number(raw: str, region: str = DEFAULT_REGION) -> str:
    """The E.164 form of a number that can receive an SMS (a mobile, not a landline)."""
    normalised = e164(raw, region)
    if phonenumbers.number_type(phonenumbers.parse(normalised)) not in _TAKES_SMS:
        raise InvalidPhone(f"{raw!r} is not a mobile number: it cannot receive an SMS")
    return normalised
