"""Messages from templates: a subject, a plain-text body, an HTML body and an SMS text.

Each message is two files per language, side by side for a translator:
`templates/<language>/<key>.txt.j2` holds three blocks (subject, text, sms) and
`templates/<language>/<key>.html.j2` the HTML body, inside a shared layout that sets the
direction (right to left for Arabic).

The environment is sandboxed (a template is data an office may edit, not code), the HTML is
autoescaped (names and reasons are typed by people), and an undefined variable is an error:
a message missing its reference or date must fail in the test suite, not reach a
cooperative with a hole in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("ar", "fr")
TEXT_BLOCKS = ("subject", "text", "sms")

MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    # The month names used in Morocco (and on the office's own letters).
    "ar": ("يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت",
           "شتنبر", "أكتوبر", "نونبر", "دجنبر"),
}


class RenderError(Exception):
    """A template that cannot produce its message (missing variable, syntax, sandbox)."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


def _is_html(name: str | None) -> bool:
    return name is not None and name.endswith(".html.j2")


def _as_day(value: Any) -> date:
    """Days only: the caller turns instants into the office's local days, because a
    UTC instant near midnight is on another day in Morocco."""
    if isinstance(value, datetime):
        raise TypeError("longdate takes a day, not an instant: convert it to the office's day first")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise TypeError(f"longdate takes a day, not {type(value).__name__}")


@pass_context
def longdate(context: Context, value: Any) -> str:
    """4 mars 2026 / 4 مارس 2026, in the message's language."""
    day = _as_day(value)
    return f"{day.day} {MONTHS[context['language']][day.month - 1]} {day.year}"


def shortdate(value: Any) -> str:
    """28/08/2026: for SMS, where "août" would cost a French text its GSM alphabet."""
    return _as_day(value).strftime("%d/%m/%Y")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


class Renderer:
    """Templates from one directory (the package's, or a test's own)."""

    def __init__(self, directory: Path = TEMPLATES) -> None:
        self.directory = directory
        self.env = SandboxedEnvironment(
            loader=FileSystemLoader(directory),
            autoescape=_is_html,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["longdate"] = longdate
        self.env.filters["shortdate"] = shortdate

    def keys(self, language: str = "fr") -> list[str]:
        """The messages this directory holds in a language (layouts and partials, whose
        names start with "_", are not messages)."""
        return sorted(
            p.name.removesuffix(".txt.j2")
            for p in (self.directory / language).glob("*.txt.j2")
            if not p.name.startswith("_")
        )

    def render(self, key: str, language: str, context: Mapping[str, Any]) -> Rendered:
        if language not in LANGUAGES:
            raise RenderError(f"no templates in language {language!r}")
        variables = {**context, "language": language}
        try:
            text = self.env.get_template(f"{language}/{key}.txt.j2")
            parts: dict[str, str] = {}
            for block in TEXT_BLOCKS:
                if block not in text.blocks:
                    raise RenderError(f"{language}/{key}.txt.j2 has no block {block!r}")
                parts[block] = "".join(text.blocks[block](text.new_context(variables)))
            subject = _one_line(parts["subject"])
            html = self.env.get_template(f"{language}/{key}.html.j2").render(
                {**variables, "subject": subject}
            )
        except (TemplateError, TypeError, ValueError) as exc:
            raise RenderError(f"{language}/{key}: {type(exc).__name__}: {exc}") from exc
        return Rendered(
            subject=subject,
            text=_paragraphs(parts["text"]),
            html=html.strip(),
            sms=_one_line(parts["sms"]),
        )


_default = Renderer()


def render(key: str, language: str, context: Mapping[str, Any]) -> Rendered:
    """Render a message of the package's templates."""
    return _default.render(key, language, context)


def keys(language: str = "fr") -> list[str]:
    return _default.keys(language)
