"""Cooperative names: the keys that tell two names apart, and the verdict on a proposed name.

Law 112-12 gives no list of refused names ([L] Art. 7, [D] Art. 3): it only reserves the
word "تعاونية" / "coopérative" to bodies under the law and obliges them to carry it
([L] Arts. 7 and 95). What makes a name unavailable is office practice, modelled on the
UK Companies House "same as" rules: two names are the same when a person would read them
as the same once legal words, articles, accents, punctuation, plural endings and the way
"and" or a number is written are set aside.

Two keys serve the database look-ups done by the service layer:

- `same_as_key`, within one script, for the exact "same as" refusal;
- `translit_key`, a consonant skeleton shared by Arabic and the French-style Latin
  spellings used in Morocco, for the cross-script comparison and the "too like" score.

Nothing here reads the database: the matches are handed in, and `judge_name` only turns
them into a verdict with reasons a cooperative can read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from rapidfuzz import fuzz

from rules.reasons import Reason, Text, decree, law

Script = Literal["ar", "latin"]
MatchSource = Literal["register", "certificate"]
Status = Literal["available", "same_as", "too_like", "invalid"]

# The office setting `name_similarity_threshold` starts from this value; the judging code
# always receives the threshold from the caller.
DEFAULT_SIMILARITY_THRESHOLD = 85.0

# Words that need a manager's approval (office practice, not law). The office's own list is
# passed in as `extra`; these are the ones every office we know of treats as sensitive.
SENSITIVE_WORDS: tuple[str, ...] = (
    "royal", "royale", "royaux", "ملكي", "ملكية",
    "national", "nationale", "nationaux", "وطني", "وطنية",
    "Maroc", "Morocco", "marocain", "marocaine", "moroccan", "المغرب", "مغربي", "مغربية",
    "banque", "bank", "بنك", "بنوك",
    "université", "university", "جامعة", "جامعات",
)

AGRARIAN_REFORM_TERMS: tuple[str, ...] = (
    "réforme agraire",
    "agrarian reform",
    "الإصلاح الزراعي",
)


# --- scripts and folding -------------------------------------------------------------------

_TATWEEL = "\u0640"
_TA_MARBUTA = "ة"


def _is_arabic(ch: str) -> bool:
    code = ord(ch)
    return (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    )


_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_LETTER = re.compile(r"(?![\W\d_])[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")


class _CharTable(dict[int, str]):
    """A `str.translate` table filled on first sight of each code point, so that a name is
    mapped in one C-level pass instead of a Python call per character. `compute` gives a
    character's replacement; the table stops growing at `_CHAR_TABLE_LIMIT` entries (names
    use a few hundred characters; a hostile text could use a million)."""

    def __init__(self, compute: Callable[[str], str]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, code: int) -> str:
        value = self._compute(chr(code))
        if len(self) < _CHAR_TABLE_LIMIT:
            self[code] = value
        return value


_CHAR_TABLE_LIMIT = 65_536


def _letter_class(ch: str) -> str:
    """"a" for an Arabic letter, "l" for any other letter, "" for the rest. Tatweel is an
    Arabic letter to the regular expressions but counts as neither (it only stretches)."""
    if ch == _TATWEEL:
        return ""
    if _ARABIC_LETTER.match(ch):
        return "a"
    return "l" if _LETTER.match(ch) else ""


_LETTER_CLASSES = _CharTable(_letter_class)


def script_of(name: str) -> Script:
    """The script most of the letters are written in; a tie counts as Latin.

    Digits are spelled in the language of this script, so that "Coop 3 Frères" meets
    "Coop Trois Frères" and "تعاونية 3 إخوة" meets "تعاونية ثلاثة إخوة".

    Each character is classed once (a cached `str.translate` table) and the classes are
    counted: the register import asks this of every name."""
    classes = name.translate(_LETTER_CLASSES)
    return "ar" if classes.count("a") > classes.count("l") else "latin"


# The hamza seats (أ إ آ ؤ ئ) survive `_fold` so that the article ال, always written with a
# bare alef, is not mistaken for the first letters of ألفة or ألوان; `_plain` folds them
# once the article is off.
_HAMZA_MARKS = frozenset("\u0653\u0654\u0655")
_LETTER_FOLD = str.maketrans(
    {
        "ٱ": "ا",  # alef wasla, the article's own alef
        "ى": "ي",
        "ء": None,  # a standalone hamza carries no letter of its own
        _TATWEEL: None,
        "ۀ": "ه",
        "ۂ": "ه",
        "ۓ": "ي",
        # Moroccan and Persian letters for sounds Arabic spelling writes with its own letters
        "ڭ": "ك",
        "گ": "ك",
        "ڤ": "ف",
        "پ": "ب",
        "œ": "oe",
        "æ": "ae",
        "ß": "ss",
        "ø": "o",
        "đ": "d",
        "ł": "l",
    }
)
_SEATS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ؤ": "و", "ئ": "ي"})


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c in _HAMZA_MARKS)
    recomposed = unicodedata.normalize("NFC", kept)
    bare = "".join(c for c in recomposed if not unicodedata.combining(c))
    return bare.casefold().translate(_LETTER_FOLD)


_FOLD_TABLE = _CharTable(_fold_char)


def _fold(text: str) -> str:
    """Case, accents, harakat, shadda and tatweel away; hamza seats and ة kept.

    Character by character once the text is composed, so that an alef typed with a
    separate hamza mark folds like أ. Through a `str.translate` table that learns each
    character's fold on first sight: a register import folds millions of characters, and
    one C-level pass per name costs a fraction of a Python call per character."""
    return unicodedata.normalize("NFC", text).translate(_FOLD_TABLE)


def _seatless(token: str) -> str:
    return token.translate(_SEATS)


def _ta(token: str) -> str:
    """ة and ه are written for each other so often that the same-as key does not tell them
    apart. The transliteration key does (ة is silent, ه is not), so the shared tokens keep ة
    and this is applied last."""
    return token.replace(_TA_MARBUTA, "ه")


def _plain(token: str) -> str:
    """A folded token as compared with the word lists: no hamza seat, ة as ه."""
    return _ta(_seatless(token))


def _is_arabic_word(token: str) -> bool:
    return bool(token) and _is_arabic(token[0])


# --- numbers as words ----------------------------------------------------------------------

_FR_UNITS = (
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
    "onze", "douze", "treize", "quatorze", "quinze", "seize",
)
_FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _fr_below_100(n: int, *, final: bool) -> str:
    if n <= 16:
        return _FR_UNITS[n]
    if n < 20:
        return "dix-" + _FR_UNITS[n - 10]
    tens, unit = divmod(n, 10)
    if tens == 7:
        if unit == 1:
            return "soixante et onze"
        return "soixante-" + _fr_below_100(10 + unit, final=final)
    if tens == 8:
        if unit == 0:
            return "quatre-vingts" if final else "quatre-vingt"
        return "quatre-vingt-" + _FR_UNITS[unit]
    if tens == 9:
        return "quatre-vingt-" + _fr_below_100(10 + unit, final=final)
    word = _FR_TENS[tens]
    if unit == 0:
        return word
    if unit == 1:
        return word + " et un"
    return word + "-" + _FR_UNITS[unit]


def _fr_below_1000(n: int, *, final: bool) -> str:
    hundreds, rest = divmod(n, 100)
    if hundreds == 0:
        return _fr_below_100(rest, final=final)
    head = "cent" if hundreds == 1 else _FR_UNITS[hundreds] + " cent"
    if rest == 0:
        return head + ("s" if hundreds > 1 and final else "")
    return head + " " + _fr_below_100(rest, final=final)


def _french_number(n: int) -> str:
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    parts: list[str] = []
    if millions:
        scale = " millions" if millions > 1 else " million"
        parts.append(_fr_below_1000(millions, final=False) + scale)
    if thousands == 1:
        parts.append("mille")
    elif thousands:
        parts.append(_fr_below_1000(thousands, final=False) + " mille")
    if units or not parts:
        parts.append(_fr_below_1000(units, final=True))
    return " ".join(parts)


_AR_UNITS = (
    "صفر", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة",
)
_AR_TENS = {
    2: "عشرون", 3: "ثلاثون", 4: "أربعون", 5: "خمسون",
    6: "ستون", 7: "سبعون", 8: "ثمانون", 9: "تسعون",
}
_AR_HUNDREDS = (
    "", "مائة", "مائتان", "ثلاثمائة", "أربعمائة", "خمسمائة", "ستمائة", "سبعمائة", "ثمانمائة",
    "تسعمائة",
)


def _ar_below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if rest <= 10:
        small = _AR_UNITS[rest]
    elif rest == 11:
        small = "أحد عشر"
    elif rest == 12:
        small = "اثنا عشر"
    elif rest < 20:
        small = _AR_UNITS[rest - 10] + " عشر"
    else:
        tens, unit = divmod(rest, 10)
        small = _AR_TENS[tens] if unit == 0 else _AR_UNITS[unit] + " و" + _AR_TENS[tens]
    if hundreds == 0:
        return small
    return _AR_HUNDREDS[hundreds] + ("" if rest == 0 else " و" + small)


def _ar_scaled(count: int, one: str, two: str, few: str) -> str:
    if count == 1:
        return one
    if count == 2:
        return two
    return _ar_below_1000(count) + " " + (few if count <= 10 else one)


def _arabic_number(n: int) -> str:
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    parts: list[str] = []
    if millions:
        parts.append(_ar_scaled(millions, "مليون", "مليونان", "ملايين"))
    if thousands:
        parts.append(_ar_scaled(thousands, "ألف", "ألفان", "آلاف"))
    if units or not parts:
        parts.append(_ar_below_1000(units))
    return " و".join(parts)


def _number_words(digits: str, script: Script) -> str:
    """Up to 999,999,999 a number is spelled as a whole (so "2016" and "deux mille seize"
    agree); longer runs, which are not names anyone says aloud, digit by digit."""
    spell = _arabic_number if script == "ar" else _french_number
    if len(digits) > 9:
        return " ".join(spell(int(d)) for d in digits)
    return spell(int(digits))


_DIGITS = re.compile(r"\d+")


def _spell_digits(text: str, script: Script) -> str:
    return _DIGITS.sub(lambda m: " " + _number_words(m.group(), script) + " ", text)


# --- tokens --------------------------------------------------------------------------------

# An article written with a hyphen before the consonant it assimilates to ("Ech-Chourouk",
# "Ed-Dahab", "Es-Smara"): the hyphen makes it unmistakably the article ال.
_HYPHENATED_SUN_ARTICLE = re.compile(r"\b[ae](ch|sh|th|dh|[tdrzsln])-(?=\1)")
_TOKEN = re.compile(r"&|[^\W\d_]+")

# The words that make a cooperative or a union of cooperatives: never distinctive.
_COOPERATIVE_WORDS = frozenset(
    {
        "تعاونيه", "التعاونيه", "تعاونيات", "التعاونيات", "لتعاونيات", "للتعاونيات",
        "coop", "coops", "cooperative", "cooperatives",
    }
)
# "Union" / "اتحاد" are legal words only before a cooperatives word ("union des
# coopératives", "اتحاد تعاونيات"); alone they are a distinctive word in their own right
# ("Coopérative L'Union", "تعاونية الاتحاد").
_UNION_WORDS = frozenset({"union", "unions", "اتحاد", "الاتحاد"})
_CONNECTIVES = frozenset({"de", "des", "du", "d"})

# Articles, and the connective words that only link the distinctive words to the activity
# or the place ("pour la production de l'huile d'argan"): dropped wherever they stand.
_LATIN_STOPWORDS = frozenset(
    {"al", "el", "la", "le", "les", "l", "d", "de", "du", "des", "pour", "of", "the"}
)
_AND_WORDS = frozenset({"&", "and", "et", "و", "wa"})
_AND = "&"


@lru_cache(maxsize=4096)
def _raw_tokens(name: str) -> tuple[str, ...]:
    """Both keys start from these tokens. Cached for the few calls in a row about one name
    (a verdict asks for its key, then for its cooperative word); the keys themselves are
    cached by `_name_keys`."""
    script = script_of(name)
    text = _fold(_spell_digits(_fold(name), script))
    text = _HYPHENATED_SUN_ARTICLE.sub("", text.replace("&", " & "))
    return tuple(_TOKEN.findall(text))


def _without_article(token: str) -> str | None:
    """The token without its article, or None when it is an article or connective itself.
    ال is only taken off when at least two letters remain ("الف", a thousand, stays)."""
    if token in _LATIN_STOPWORDS:
        return None
    if token.startswith("ال") and len(token) >= 4:
        return token[2:]
    return token


def _distinctive(token: str, *, spoken: bool) -> str | None:
    """The token as both keys see it once its article is off, "and" unified, ة kept and no
    plural removed; None when it is an article or connective itself.

    A word that starts with a hamza on its alef (إلهام, ألوان) does not start with the
    article, but the same word is as often typed with a bare alef (الهام, الوان). Within
    Arabic, two spellings of one word must give one key, so the same-as key folds the alef
    first and takes ال off both alike. The transliteration key (`spoken`) follows the
    sound instead and keeps the written hamza's word whole, so إلهام meets Ilham."""
    bare = _without_article(token if spoken else _seatless(token))
    if bare is None:
        return None
    bare = _seatless(bare)
    return _AND if bare in _AND_WORDS else bare


def _singular(token: str) -> str:
    """Conservative plural endings. Latin: a final s or x on words longer than three letters
    (frères, oliviers, chevaux -> chevau). Arabic: ات on words longer than four letters
    (منتجات, واحات), and ين / ون on words longer than five, so that the singulars زيتون
    (olive), ليمون, صابون are left alone while فلاحين, حرفيون lose their ending."""
    if _is_arabic_word(token):
        if token.endswith("ات") and len(token) > 4:
            return token[:-2]
        if token.endswith(("ين", "ون")) and len(token) > 5:
            return token[:-2]
        return token
    if len(token) > 3 and token.endswith(("s", "x")):
        return token[:-1]
    return token


class _TokenKeys(NamedTuple):
    """What the keys need to know of one folded token, worked out once per distinct token:
    names reuse a small vocabulary (a few thousand words across a 65,000-line register), so
    a register import does the per-word work a few thousand times instead of a million."""

    cooperative: bool  # a word of the cooperative family (تعاونية, coopérative, coop)
    union: bool  # "union" / "اتحاد", a legal word only before a cooperatives word
    same: str | None  # its part of the same-as key; None for an article or connective
    spoken: str | None  # its skeleton in the transliteration key; None when it has none


@lru_cache(maxsize=65_536)
def _token_keys(token: str) -> _TokenKeys:
    plain = _plain(token)
    same = _distinctive(token, spoken=False)
    spoken = _distinctive(token, spoken=True)
    return _TokenKeys(
        cooperative=plain in _COOPERATIVE_WORDS,
        union=plain in _UNION_WORDS,
        same=None if same is None else _ta(_singular(same)),
        spoken=(_skeleton(spoken) or None) if spoken is not None else None,
    )


def _without_legal_words(tokens: Sequence[str]) -> list[_TokenKeys]:
    """The tokens' keys, without the cooperative words and without "union of
    cooperatives" (connectives between the two included)."""
    keys = [_token_keys(token) for token in tokens]
    kept: list[_TokenKeys] = []
    i = 0
    while i < len(keys):
        if keys[i].cooperative:
            i += 1
            continue
        if keys[i].union:
            j = i + 1
            while j < len(tokens) and tokens[j] in _CONNECTIVES:
                j += 1
            if j < len(tokens) and keys[j].cooperative:
                i = j + 1
                continue
        kept.append(keys[i])
        i += 1
    return kept


@lru_cache(maxsize=65_536)
def _name_keys(name: str) -> tuple[str, str]:
    """Both keys of a name in one pass: the service layer and the register import always
    ask for the two, one after the other, and the tokens are the same."""
    kept = _without_legal_words(_raw_tokens(name))
    return (
        " ".join(k.same for k in kept if k.same is not None),
        " ".join(k.spoken for k in kept if k.spoken is not None),
    )


def same_as_key(name: str) -> str:
    """Two names with the same key are the same name within one script (Companies House
    "same as"). An empty key means the name has nothing distinctive.

    Each distinctive token loses a conservative plural ending (`_singular`) and writes ة
    as ه (`_ta`)."""
    return _name_keys(name)[0]


def has_cooperative_word(name: str) -> bool:
    """Whether the name carries the word the law reserves to its bodies and obliges them to
    carry ([L] Arts. 7 and 95): تعاونية or coopérative (coop), or union of cooperatives."""
    return any(_token_keys(token).cooperative for token in _raw_tokens(name))


# --- matching words and phrases in a name ---------------------------------------------------

_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")


def _surface_words(text: str) -> list[str]:
    """The words as written, diacritics included, split at spaces and punctuation."""
    words: list[str] = []
    current: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isalnum() or unicodedata.combining(ch) or ch == _TATWEEL:
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _forms(word: str) -> frozenset[str]:
    """The ways a word can match a listed word: folded, and without an Arabic article or
    attached preposition (بالمغرب, للتنمية) or a Latin plural ending."""
    folded = _fold(word)
    forms = {folded}
    if _is_arabic_word(folded):
        for prefix in _ARABIC_PREFIXES:
            if folded.startswith(prefix) and len(folded) - len(prefix) >= 2:
                forms.add(folded[len(prefix) :])
    else:
        forms.add(_singular(folded))
    return frozenset(_plain(form) for form in forms)


def _find_terms(text: str, terms: Iterable[str]) -> list[str]:
    """Each term (one word or a phrase) found in the text, as the text writes it, once, in
    order of appearance."""
    wanted = [[_forms(w) for w in _surface_words(term)] for term in terms]
    wanted = [t for t in wanted if t]
    words = _surface_words(text)
    forms = [_forms(w) for w in words]
    found: list[str] = []
    seen: set[int] = set()
    for start in range(len(words)):
        for index, term in enumerate(wanted):
            if index in seen or start + len(term) > len(words):
                continue
            if all(term[k] & forms[start + k] for k in range(len(term))):
                seen.add(index)
                surface = " ".join(words[start : start + len(term)])
                if surface not in found:
                    found.append(surface)
    return found


def is_agrarian_reform(name: str, sector: str | None = None) -> bool:
    """Agrarian-reform cooperatives are outside the office's remit."""
    return any(_find_terms(text, AGRARIAN_REFORM_TERMS) for text in (name, sector or ""))


def sensitive_words(name: str, extra: Iterable[str] = ()) -> list[str]:
    """Words that need a manager's approval (office practice), as the name writes them."""
    return _find_terms(name, (*SENSITIVE_WORDS, *extra))


# --- transliteration key -------------------------------------------------------------------

_VOWEL = "_"

# Arabic letters to the consonant classes shared with Latin spellings. و ي ا and ع carry no
# consonant of their own in the Latin spellings (Wifaq / Ouifak, Amal / Aamal).
_ARABIC_CLASSES: dict[str, str] = {
    "ب": "b",
    "ت": "t", "ط": "t", "ث": "t",
    "ج": "j",
    "ح": "h", "ه": "h", _TA_MARBUTA: "h",
    "خ": "x",
    "د": "d", "ض": "d", "ذ": "d",
    "ر": "r",
    "ز": "z", "ظ": "z",
    "س": "s", "ص": "s",
    "ش": "c",
    "ع": _VOWEL,
    "غ": "g",
    "ف": "f",
    "ق": "k", "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ا": _VOWEL, "و": _VOWEL, "ي": _VOWEL,
}

_LATIN_DIGRAPHS: dict[str, str] = {
    "kh": "x",
    "gh": "g",
    "ch": "c",
    "sh": "c",
    "th": "t",
    "dh": "d",
    "dj": "j",
    "ph": "f",
    "qu": "k",
    "ou": _VOWEL,
}
_LATIN_CLASSES: dict[str, str] = {
    "b": "b", "p": "b",
    "d": "d",
    "f": "f", "v": "f",
    "h": "h",
    "j": "j",
    "k": "k", "q": "k",
    "l": "l",
    "m": "m",
    "n": "n",
    "r": "r",
    "s": "s",
    "t": "t",
    "z": "z",
    "a": _VOWEL, "e": _VOWEL, "i": _VOWEL, "o": _VOWEL, "u": _VOWEL, "y": _VOWEL, "w": _VOWEL,
}
_FRONT_VOWELS = ("e", "i", "y")
_SUN_CONSONANTS = ("ch", "sh", "th", "dh", "t", "d", "r", "z", "s", "l", "n")


def _without_assimilated_article(token: str) -> str:
    """ال before a sun letter is written as the doubled consonant in Latin: Annour,
    Echchourouk, Essaouira, Errachidia; before ش also with a single ch: Echourouk,
    Achourouk. At least three letters must remain ("Assa", the town, stays)."""
    if len(token) < 3 or token[0] not in "ae":
        return token
    for consonant in _SUN_CONSONANTS:
        doubled = token[1:].startswith(consonant * 2)
        if doubled and len(token) - 1 - len(consonant) >= 3:
            return token[1 + len(consonant) :]
    if token[1:3] in ("ch", "sh") and len(token) - 1 >= 3:
        return token[1:]
    return token


def _latin_classes(token: str) -> list[str]:
    classes: list[str] = []
    i = 0
    while i < len(token):
        pair = token[i : i + 2]
        after = token[i + 1 : i + 2]
        if pair == "gu" and token[i + 2 : i + 3] in _FRONT_VOWELS:
            classes.append("k")  # Guelmim, Guercif: u only keeps the g hard
            i += 2
        elif pair in _LATIN_DIGRAPHS:
            classes.append(_LATIN_DIGRAPHS[pair])
            i += 2
        else:
            ch = token[i]
            if ch in "cg":
                soft = after != "" and after in _FRONT_VOWELS
                classes.append(("s" if ch == "c" else "j") if soft else "k")
            elif ch == "x":
                classes.extend(("k", "s"))
            else:
                classes.append(_LATIN_CLASSES.get(ch, ch))
            i += 1
    return classes


def _arabic_classes(token: str) -> list[str]:
    body = token[:-1] if token.endswith(_TA_MARBUTA) else token
    return [_ARABIC_CLASSES.get(ch, ch) for ch in body]


def _skeleton(token: str) -> str:
    if token == _AND:
        return _AND
    if _is_arabic_word(token):
        classes = _arabic_classes(token)
    else:
        classes = _latin_classes(_without_assimilated_article(token))
    if not classes:
        return ""
    starts_with_vowel = classes[0] == _VOWEL
    collapsed = [c for k, c in enumerate(classes) if k == 0 or c != classes[k - 1]]
    consonants = "".join(c for c in collapsed if c != _VOWEL)
    return ("v" if starts_with_vowel else "") + consonants


def translit_key(name: str) -> str:
    """A consonant skeleton that an Arabic name and its Moroccan Latin spellings share:
    "تعاونية الأمل", "Coopérative Al Amal" and "Coopérative El Amel" all give "vml".

    Per token: vowels and semivowels (a e i o u y w, ا و ي ع) are dropped, a leading one
    leaves a "v" (Amal "vml" is not Mali "ml"); letters pronounced alike share a class;
    doubled letters count once (shadda is not written in Arabic); ة is silent. The hard g
    of Moroccan spellings (Agadir, Guelmim, Guercif) stands for ك / ق / ڭ, so it joins the k
    class; a soft g (before e, i, y) joins ج; gh is غ. Plural endings are kept: Arabic
    plurals are transliterated as they are (Al Wahat), and stripping a Latin final s would
    break Atlas / أطلس."""
    return _name_keys(name)[1]


def similarity(a: str, b: str) -> float:
    """How alike two keys are, 0 to 100. An empty key is like nothing."""
    if not a or not b:
        return 0.0
    return float(fuzz.ratio(a, b))


def too_like(a_key: str, b_key: str, threshold: float) -> bool:
    """Whether two keys are alike enough for an officer to look (threshold: office setting)."""
    if not 0.0 <= threshold <= 100.0:
        raise ValueError(f"similarity threshold must lie between 0 and 100, not {threshold}")
    return similarity(a_key, b_key) >= threshold


# --- verdicts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameMatch:
    """An existing name the proposed one was compared with: a registered cooperative or a
    valid certificate, which blocks the name until it expires."""

    name: str
    source: MatchSource
    ref: str
    score: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 100.0:
            raise ValueError(f"a similarity score lies between 0 and 100, not {self.score}")


@dataclass(frozen=True)
class NameVerdict:
    name: str
    status: Status
    reasons: tuple[Reason, ...]
    matches: tuple[NameMatch, ...]
    sensitive: tuple[str, ...]

    @property
    def grantable(self) -> bool:
        """Only an available name can be granted without an officer deciding; a too-like
        one waits for the officer. Sensitive words are a separate sign-off (`sensitive`)."""
        return self.status == "available"


def _described_fr(match: NameMatch) -> str:
    if match.source == "register":
        return f"« {match.name} » (coopérative immatriculée sous le n° {match.ref})"
    return f"« {match.name} » (nom réservé par le certificat négatif du dossier {match.ref})"


def _described_ar(match: NameMatch) -> str:
    if match.source == "register":
        return f"«{match.name}» (تعاونية مسجلة تحت رقم {match.ref})"
    return f"«{match.name}» (اسم محجوز بشهادة سلبية في الملف رقم {match.ref})"


def _empty(name: str) -> Reason:
    return Reason(
        "name_empty",
        Text(
            fr=f"Le nom proposé « {name} » ne contient aucun mot distinctif : une fois retirés "
            "le mot « coopérative » (ou « union de coopératives »), les articles et la "
            "ponctuation, il ne reste rien qui distingue la coopérative. Proposez un nom "
            "qui comporte au moins un mot qui lui soit propre.",
            ar=f"الاسم المقترح «{name}» لا يتضمن أي كلمة مميزة: بعد حذف كلمة «تعاونية» (أو "
            "«اتحاد تعاونيات») وأدوات التعريف وعلامات الترقيم، لا يبقى ما يميز التعاونية. "
            "يرجى اقتراح اسم يتضمن كلمة خاصة بها على الأقل.",
        ),
        decree(3),
    )


def _missing_cooperative_word(name: str) -> Reason:
    return Reason(
        "name_missing_cooperative_word",
        Text(
            fr=f"Le nom « {name} » ne comporte pas le mot « coopérative » (ou « union de "
            "coopératives »). La loi 112-12 impose ce mot dans le nom de toute coopérative "
            "(art. 7) et son article 95 punit d'une amende de 2 000 à 10 000 dirhams le "
            "manquement à cette règle. Ajoutez le mot « coopérative » au nom.",
            ar=f"الاسم «{name}» لا يتضمن كلمة «تعاونية» (أو «اتحاد تعاونيات»). يوجب القانون "
            "112.12 أن يحمل اسم كل تعاونية هذه الكلمة (المادة 7)، وتعاقب المادة 95 على "
            "الإخلال بذلك بغرامة من 2.000 إلى 10.000 درهم. يرجى إضافة كلمة «تعاونية» إلى الاسم.",
        ),
        law(7),
    )


def _agrarian_reform(name: str) -> Reason:
    return Reason(
        "name_agrarian_reform",
        Text(
            fr=f"Le nom « {name} » désigne une coopérative de la réforme agraire. Ces "
            "coopératives sont hors du champ de l'Office du développement de la coopération : "
            "la demande doit être adressée à l'administration chargée de la réforme agraire.",
            ar=f"الاسم «{name}» يخص تعاونية للإصلاح الزراعي. هذه التعاونيات لا تدخل في "
            "اختصاص مكتب تنمية التعاون، ويجب توجيه الطلب إلى الإدارة المكلفة بالإصلاح الزراعي.",
        ),
        law(1),
    )


def _same_as(name: str, matches: Sequence[NameMatch]) -> Reason:
    fr = " ; ".join(_described_fr(m) for m in matches)
    ar = "، ".join(_described_ar(m) for m in matches)
    return Reason(
        "name_same_as",
        Text(
            fr=f"Le nom « {name} » est le même que {fr} : seuls le mot « coopérative », les "
            "articles, les accents, la ponctuation, les pluriels ou l'écriture des nombres "
            "diffèrent. Un nom déjà pris ne peut pas être attribué : proposez-en un autre.",
            ar=f"الاسم «{name}» هو نفسه {ar}: لا يختلف عنه إلا في كلمة «تعاونية» أو أدوات "
            "التعريف أو الحركات أو علامات الترقيم أو صيغة الجمع أو كتابة الأعداد. لا يمكن "
            "منح اسم مأخوذ: يرجى اقتراح اسم آخر.",
        ),
        decree(3),
    )


def _too_like(name: str, matches: Sequence[NameMatch]) -> Reason:
    fr = " ; ".join(f"{_described_fr(m)}, ressemblance {m.score:.0f} %" for m in matches)
    ar = "، ".join(f"{_described_ar(m)}، نسبة التشابه {m.score:.0f}٪" for m in matches)
    return Reason(
        "name_too_like",
        Text(
            fr=f"Le nom « {name} » ressemble à {fr}. Un agent de l'Office vérifiera s'il "
            "risque d'être confondu avec ce nom avant de décider de l'accorder.",
            ar=f"الاسم «{name}» يشبه {ar}. سيتحقق موظف بالمكتب مما إذا كان قد يلتبس بهذا "
            "الاسم قبل أن يقرر منحه.",
        ),
        decree(3),
    )


def _sensitive(name: str, words: Sequence[str]) -> Reason:
    fr = ", ".join(f"« {w} »" for w in words)
    ar = "، ".join(f"«{w}»" for w in words)
    return Reason(
        "name_sensitive_words",
        Text(
            fr=f"Le nom « {name} » contient des mots sensibles ({fr}) : il ne peut être "
            "accordé qu'avec l'accord d'un responsable de l'Office.",
            ar=f"الاسم «{name}» يتضمن كلمات حساسة ({ar}): لا يمكن منحه إلا بموافقة مسؤول "
            "بالمكتب.",
        ),
        None,
    )


def judge_name(
    name: str,
    *,
    same_as: Sequence[NameMatch],
    similar: Sequence[NameMatch],
    sector: str | None = None,
    extra_sensitive: Iterable[str] = (),
) -> NameVerdict:
    """The verdict on one proposed name, given the existing names the service layer found.

    A name that cannot be a cooperative's name is invalid whatever the register holds, and
    all its defects are told at once; its matches are not reported. Sensitive words never
    change the status: they add a reason and a manager's sign-off."""
    found = tuple(sensitive_words(name, extra_sensitive))
    extra: tuple[Reason, ...] = (_sensitive(name, found),) if found else ()

    invalid: list[Reason] = []
    distinctive = [t for t in same_as_key(name).split() if t != _AND]
    if not distinctive:
        invalid.append(_empty(name))
    if any(ch.isalpha() for ch in name):
        if not has_cooperative_word(name):
            invalid.append(_missing_cooperative_word(name))
        if is_agrarian_reform(name, sector):
            invalid.append(_agrarian_reform(name))
    if invalid:
        return NameVerdict(name, "invalid", (*invalid, *extra), (), found)
    if same_as:
        reasons = (_same_as(name, same_as), *extra)
        return NameVerdict(name, "same_as", reasons, tuple(same_as), found)
    if similar:
        ranked = tuple(sorted(similar, key=lambda m: m.score, reverse=True))
        return NameVerdict(name, "too_like", (_too_like(name, ranked), *extra), ranked, found)
    return NameVerdict(name, "available", extra, (), found)


def first_available(verdicts: Sequence[NameVerdict]) -> NameVerdict | None:
    """The founders propose up to three names in order of preference; the first available
    one is granted ([L] Art. 7, [D] Art. 3)."""
    return next((v for v in verdicts if v.status == "available"), None)
