"""Bilingual texts, legal bases and reasons: the vocabulary every rule speaks.

A guard never answers a bare boolean: a person refused an action must be told why, in
Arabic and French, and on which article the refusal rests. These small value types are
shared by every rule and by the workflow definitions that cite them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["ar", "fr"]
LANGUAGES: tuple[Language, ...] = ("ar", "fr")


@dataclass(frozen=True)
class Text:
    """A sentence a person reads, in both of the office's languages."""

    fr: str
    ar: str

    def in_(self, language: Language) -> str:
        return self.ar if language == "ar" else self.fr

    def as_dict(self) -> dict[str, str]:
        return {"fr": self.fr, "ar": self.ar}


def tr(*, fr: str, ar: str) -> Text:
    """Shorthand used in definitions so that both languages sit side by side."""
    return Text(fr=fr, ar=ar)


Instrument = Literal["law", "decree", "internal"]

_INSTRUMENT_NAMES: dict[Instrument, Text] = {
    "law": Text(fr="loi 112-12", ar="القانون 112.12"),
    "decree": Text(fr="décret 2-15-617", ar="المرسوم 2.15.617"),
    "internal": Text(fr="règle interne de l'Office", ar="قاعدة داخلية للمكتب"),
}


@dataclass(frozen=True)
class Basis:
    """Where a deadline or a guard comes from: an article of the law or decree, or an
    office setting (named, so that a reader can find and change it)."""

    instrument: Instrument
    article: str | None = None
    setting: str | None = None

    @property
    def label(self) -> Text:
        name = _INSTRUMENT_NAMES[self.instrument]
        if self.instrument == "internal":
            suffix = f" ({self.setting})" if self.setting else ""
            return Text(fr=name.fr + suffix, ar=name.ar + suffix)
        return Text(
            fr=f"{name.fr}, art. {self.article}",
            ar=f"{name.ar}، المادة {self.article}",
        )

    @property
    def code(self) -> str:
        if self.instrument == "internal":
            return f"internal:{self.setting or ''}"
        return f"{self.instrument}:{self.article}"

    @classmethod
    def parse(cls, code: str) -> Basis:
        """Inverse of `code`, for bases stored in the database."""
        instrument, _, rest = code.partition(":")
        if instrument == "internal":
            return cls("internal", setting=rest or None)
        if instrument in ("law", "decree"):
            return cls(instrument, article=rest)  # type: ignore[arg-type]
        raise ValueError(f"unknown legal basis {code!r}")


def law(article: int | str) -> Basis:
    """An article of Law 112-12 on cooperatives."""
    return Basis("law", article=str(article))


def decree(article: int | str) -> Basis:
    """An article of decree 2-15-617 on the cooperatives register."""
    return Basis("decree", article=str(article))


def internal(setting: str) -> Basis:
    """An office service level: the number lives in the settings under this name."""
    return Basis("internal", setting=setting)


@dataclass(frozen=True)
class Reason:
    """Why something is refused or needs attention.

    `code` is stable (clients and tests match on it); `message` is what a person reads;
    `basis` is the article it rests on, where there is one.
    """

    code: str
    message: Text
    basis: Basis | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message.as_dict(),
            "basis": None
            if self.basis is None
            else {"code": self.basis.code, **self.basis.label.as_dict()},
        }
