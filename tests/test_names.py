"""Name rules as an officer checks them: which names count as the same, which look alike
across scripts, which words are refused or need a manager, and what the applicant reads."""

from __future__ import annotations

import pytest

from rules.names import (
    DEFAULT_SIMILARITY_THRESHOLD,
    NameMatch,
    NameVerdict,
    first_available,
    has_cooperative_word,
    is_agrarian_reform,
    judge_name,
    same_as_key,
    script_of,
    sensitive_words,
    similarity,
    too_like,
    translit_key,
)
from rules.reasons import decree, law

# --- same as, within one script ------------------------------------------------------------

SAME_AS = [
    # French: case, accents, punctuation, the cooperative word, articles
    ("Coopérative Al Amal", "COOPERATIVE EL-AMAL"),
    ("Coopérative Al Amal", "coop. al amal"),
    ("Coopérative Al Amal", "Union des coopératives Al Amal"),
    # "&" / "et", œ, plural, articles together
    ("Coopérative Les Frères & Sœurs", "Cooperative freres et soeurs"),
    ("Coopérative Les Frères and Sœurs", "Coopérative frères & sœurs"),
    # plural
    ("Coopérative Les Oliviers", "Coopérative Olivier"),
    # elided articles and connective words
    ("Coopérative Al Amal pour l'huile d'argan", "Coopérative Amal Huile Argan"),
    # an article assimilated to its consonant, written with a hyphen
    ("Coopérative Ech-Chourouk", "Coopérative Chourouk"),
    ("Coopérative Oued Ed-Dahab", "Coopérative Oued Dahab"),
    # digits as words
    ("Coop 3 Frères", "Coop Trois Frères"),
    ("Coopérative 21 Mars", "Coopérative vingt et un mars"),
    ("Coopérative 80", "Coopérative quatre-vingts"),
    ("Coopérative 2016", "Coopérative deux mille seize"),
    ("Coopérative ٣ Frères", "Coopérative trois frères"),
    # Arabic: shadda, article, the cooperative word with its article, alef forms
    ("تعاونية الأمل", "تعاونيّة الامل"),
    ("تعاونية الأمل", "التعاونية الأمل"),
    ("تعاونية الأمل", "تعاونيه الأمل"),
    ("تعاونية الإحسان", "تعاونية الاحسان"),
    ("تعاونية آفاق", "تعاونية افاق"),
    # harakat and tatweel
    ("تَعَاوُنِيَّةُ الأَمَلِ", "تعاونية الأمل"),
    ("تعاونيـــة الأمـــل", "تعاونية الأمل"),
    # ى / ي, ة / ه
    ("تعاونية الهدى", "تعاونية الهدي"),
    ("تعاونية الرحمة", "تعاونية الرحمه"),
    # Arabic presentation forms (copied from old PDFs)
    ("ﺗﻌﺎﻭﻧﻴﺔ ﺍﻷﻣﻞ", "تعاونية الأمل"),
    # و as a word, and "&"
    ("تعاونية الخير و البركة", "تعاونية الخير & البركة"),
    # union of cooperatives
    ("اتحاد تعاونيات الأمل", "تعاونية الأمل"),
    ("اتحاد التعاونيات الأمل", "تعاونية الأمل"),
    # digits in Arabic text, Western or Arabic-Indic
    ("تعاونية 3 إخوة", "تعاونية ثلاثة إخوة"),
    ("تعاونية ٣ إخوة", "تعاونية ثلاثة إخوة"),
    ("تعاونية 2016", "تعاونية ألفان وستة عشر"),
    # Arabic plurals
    ("تعاونية الفلاحين", "تعاونية الفلاحون"),
    ("تعاونية المنتجات", "تعاونية منتج"),
]


@pytest.mark.parametrize(("a", "b"), SAME_AS)
def test_names_a_person_reads_as_the_same_have_one_key(a: str, b: str) -> None:
    assert same_as_key(a) == same_as_key(b)
    assert same_as_key(a) != ""


NOT_SAME = [
    # another vowel is another spelling, left to the "too like" score
    ("Coopérative Al Amal", "Coopérative Al Amel"),
    ("Coopérative Al Amal", "Coopérative Al Amal Tiznit"),
    ("Coop 3 Frères", "Coop 4 Frères"),
    ("Coopérative Frères Sœurs", "Coopérative Frères & Sœurs"),
    ("تعاونية الأمل", "تعاونية النور"),
    # a singular ending in ون is not a plural: olive is not oil
    ("تعاونية الزيتون", "تعاونية الزيت"),
    # "union" and "الاتحاد" are ordinary words outside "union of cooperatives"
    ("Coopérative L'Union", "Coopérative"),
    ("تعاونية الاتحاد", "تعاونية"),
]


@pytest.mark.parametrize(("a", "b"), NOT_SAME)
def test_different_names_have_different_keys(a: str, b: str) -> None:
    assert same_as_key(a) != same_as_key(b)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Coopérative Al Amal", "amal"),
        ("Coopérative Les Frères & Sœurs", "frere & soeur"),
        ("تعاونية الأمل", "امل"),
        ("تعاونية البركة", "بركه"),
        # ال stays on a word that would keep fewer than two letters
        ("تعاونية الف", "الف"),
        ("Coopérative", ""),
        ("اتحاد تعاونيات", ""),
        ("Union des Coopératives", ""),
    ],
)
def test_same_as_key_keeps_only_the_distinctive_words(name: str, key: str) -> None:
    assert same_as_key(name) == key


# --- across scripts ------------------------------------------------------------------------

TRANSLIT_SAME = [
    ("تعاونية الأمل", "Coopérative Al Amal", "Coopérative El Amel"),
    ("تعاونية النور", "Coopérative Nour", "Coopérative Annour"),
    ("تعاونية الشروق", "Coopérative Chourouk", "Coopérative Echourouk"),
    ("تعاونية الشروق", "Coopérative Echchourouk", "Coopérative Ech-Chourouk"),
    ("تعاونية الشروق", "Coopérative Achourouk", "Coopérative Chorouk"),
    ("تعاونية الخير", "Coopérative Al Khair", "Coopérative El Kheir"),
    ("تعاونية البركة", "Coopérative Baraka", "Coopérative Al Baraka"),
    ("تعاونية تيزنيت", "Coopérative Tiznit", "Coopérative Tizznit"),
    ("تعاونية الوفاق", "Coopérative Al Wifaq", "Coopérative El Ouifak"),
    ("تعاونية التضامن", "Coopérative Attadamoun", "Coopérative Tadamoun"),
    ("تعاونية الصويرة", "Coopérative Essaouira", "Coopérative Souira"),
    # the hard g of Moroccan spellings is ك / ڭ
    ("تعاونية أكادير", "Coopérative Agadir", "Coopérative Agadir"),
    ("تعاونية ڭلميم", "Coopérative Guelmim", "Coopérative Guelmim"),
    # a Latin final s is not a plural here
    ("تعاونية أطلس", "Coopérative Atlas", "Coopérative Atlas"),
    # a hamza on the alef: the word starts with a vowel, not with the article
    ("تعاونية إلهام", "Coopérative Ilham", "Coopérative Ilham"),
]


@pytest.mark.parametrize(("arabic", "latin", "other_latin"), TRANSLIT_SAME)
def test_an_arabic_name_and_its_latin_spellings_share_a_translit_key(
    arabic: str, latin: str, other_latin: str
) -> None:
    assert translit_key(arabic) == translit_key(latin) == translit_key(other_latin)
    assert translit_key(arabic) != ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Coopérative Al Amal", "Coopérative Mali"),
        ("تعاونية الأمل", "تعاونية النور"),
        ("تعاونية الخير", "Coopérative Al Hayr"),
        ("Coopérative Tiznit", "Coopérative Taznakht"),
        ("تعاونية إلهام", "تعاونية هام"),
        ("Coopérative Assa", "Coopérative Sa"),
    ],
)
def test_different_names_have_different_translit_keys(a: str, b: str) -> None:
    assert translit_key(a) != translit_key(b)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("تعاونية الأمل", "vml"),
        ("Coopérative Mali", "ml"),
        ("Coopérative Al Baraka", "brk"),
        ("تعاونية الخير والبركة", "xr vlbrk"),
    ],
)
def test_translit_key_is_a_consonant_skeleton(name: str, key: str) -> None:
    assert translit_key(name) == key


@pytest.mark.parametrize(
    ("name", "script"),
    [
        ("تعاونية الأمل", "ar"),
        ("Coopérative Al Amal", "latin"),
        ("Coopérative الأمل للأركان", "ar"),
        ("تعاونية Al Amal Tiznit", "latin"),
        ("تَعَاوُنِيَّة", "ar"),
    ],
)
def test_script_is_that_of_most_letters(name: str, script: str) -> None:
    assert script_of(name) == script


# The keys are computed through per-character tables and per-token and per-name caches (a
# register import keys 130,000 names). These names pin what the tables and caches must give
# on the awkward characters: tatweel, a hamza typed as a separate mark, compatibility forms
# and ligatures, a fraction (a "letter" to the script count, digits once decomposed),
# numbers, a hyphenated article, "union of cooperatives" against "L'Union". The values are
# those of the character-by-character code the tables replaced.
AWKWARD_NAMES = [
    ("تعاونية ـالأمـــل", "ar", "امل", "vml", True),
    ("تعاونية الا\u0654مل", "ar", "امل", "vml", True),
    ("Coopérative İnci", "latin", "inci", "vns", True),
    ("Coop ½ Lune", "latin", "un deu lune", "vn dks ln", True),
    ("Union des coopératives Al Amal", "latin", "amal", "vml", True),
    ("Coopérative L'Union", "latin", "union", "vnn", True),
    ("اتحاد تعاونيات الأمل", "ar", "امل", "vml", True),
    ("تعاونية الاتحاد", "ar", "اتحاد", "vthd", True),
    ("Coopérative 3 Frères & Fils", "latin", "troi frere & fil", "trs frrs & fls", True),
    ("تعاونية 2016 للحليب", "ar", "فان وسته عشر للحليب", "vlfn vst vcr lhlb", True),
    ("Coopérative Ech-Chourouk", "latin", "chourouk", "crk", True),
    ("Coopérative \u1100\uffa1", "latin", "\u1100\u1100", "\u1100", True),
    ("Coopérative Œuvre \ufb01dèle", "latin", "oeuvre fidele", "vfr fdl", True),
    ("تعاونية \ufefbلة \ufdf2", "ar", "لاله له", "ll lh", True),
    ("coop", "latin", "", "", True),
    ("", "latin", "", "", False),
]


@pytest.mark.parametrize(("name", "script", "same", "translit", "cooperative"), AWKWARD_NAMES)
def test_awkward_characters_key_as_they_always_have(
    name: str, script: str, same: str, translit: str, cooperative: bool
) -> None:
    # the transliteration key first, then the same-as key, then both again: the caches
    # give each key whatever was asked before
    got = (translit_key(name), same_as_key(name), translit_key(name), same_as_key(name))
    assert got == (translit, same, translit, same)
    assert (script_of(name), has_cooperative_word(name)) == (script, cooperative)


# --- similarity ------------------------------------------------------------------------------


def test_similarity_scores_keys_from_0_to_100() -> None:
    assert similarity("vml", "vml") == 100.0
    assert similarity("vml", "ml") == pytest.approx(80.0)
    assert similarity("vml", "tznt") < 50.0
    assert similarity("", "") == 0.0
    assert similarity("vml", "") == 0.0


@pytest.mark.parametrize(
    ("a", "b", "threshold", "expected"),
    [
        ("vml", "vml", DEFAULT_SIMILARITY_THRESHOLD, True),
        ("vml", "ml", DEFAULT_SIMILARITY_THRESHOLD, False),
        ("vml", "ml", 80.0, True),
        ("vml tznt", "vml tzn", DEFAULT_SIMILARITY_THRESHOLD, True),
        ("", "", 0.0, True),
    ],
)
def test_too_like_uses_the_office_threshold(
    a: str, b: str, threshold: float, expected: bool
) -> None:
    assert too_like(a, b, threshold) is expected


def test_a_threshold_outside_0_100_is_refused() -> None:
    with pytest.raises(ValueError):
        too_like("vml", "vml", 150.0)


# --- the cooperative word, agrarian reform, sensitive words ---------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("تعاونية الأمل", True),
        ("التعاونية الفلاحية", True),
        ("تعاونيه النور", True),
        ("تعاونيّة النور", True),
        ("اتحاد تعاونيات سوس", True),
        ("Coopérative Al Amal", True),
        ("COOPERATIVE AL AMAL", True),
        ("Coop. Nour", True),
        ("Union des coopératives du Souss", True),
        ("Association Al Amal", False),
        ("جمعية الأمل", False),
        ("Société Al Amal SARL", False),
        ("Coopératif Al Amal", False),
        ("Union Al Amal", False),
        ("اتحاد الأمل", False),
    ],
)
def test_the_cooperative_word_is_found_in_both_scripts(name: str, expected: bool) -> None:
    assert has_cooperative_word(name) is expected


@pytest.mark.parametrize(
    ("name", "sector", "expected"),
    [
        ("Coopérative de la Réforme Agraire Sidi Slimane", None, True),
        ("Coopérative Al Amal", "Réforme agraire", True),
        ("تعاونية الإصلاح الزراعي الغرب", None, True),
        ("تعاونية الأمل", "الإصلاح الزراعي", True),
        ("تعاونية الأمل للإصلاح الزراعي", None, True),
        ("Coopérative Al Amal", "agriculture", False),
        ("Coopérative Réforme", None, False),
        ("تعاونية الإصلاح", None, False),
    ],
)
def test_agrarian_reform_is_recognised_in_name_or_sector(
    name: str, sector: str | None, expected: bool
) -> None:
    assert is_agrarian_reform(name, sector) is expected


@pytest.mark.parametrize(
    ("name", "extra", "expected"),
    [
        ("Coopérative Royale du Maroc", (), ["Royale", "Maroc"]),
        ("Coopérative Nationale des Banques", (), ["Nationale", "Banques"]),
        ("Coopérative l'Université Al Amal", (), ["Université"]),
        ("Cooperative Morocco Bank", (), ["Morocco", "Bank"]),
        ("تعاونية الأمل الوطنية بالمغرب", (), ["الوطنية", "بالمغرب"]),
        ("تعاونية ملكية للبنك", (), ["ملكية", "للبنك"]),
        ("تعاونية الجامعة المغربية", (), ["الجامعة", "المغربية"]),
        ("Coopérative Royal royal ROYAL", (), ["Royal"]),
        ("Coopérative Al Amal", (), []),
        ("تعاونية الأمل", (), []),
        ("Coopérative Al Akhawayn", ("Akhawayn",), ["Akhawayn"]),
        ("Coopérative de Sa Majesté", ("sa majesté",), ["Sa Majesté"]),
        ("Coopérative Majesté", ("sa majesté",), []),
    ],
)
def test_sensitive_words_are_found_as_written(
    name: str, extra: tuple[str, ...], expected: list[str]
) -> None:
    assert sensitive_words(name, extra) == expected


# --- verdicts --------------------------------------------------------------------------------

REGISTERED = NameMatch("Coopérative Al Amal", "register", "12345", 100.0)
RESERVED = NameMatch("تعاونية الأمل", "certificate", "NC-2025-000812", 100.0)
CLOSE = NameMatch("Coopérative Al Amel", "register", "23456", 88.0)
CLOSER = NameMatch("Coopérative El Amal Tiznit", "certificate", "NC-2025-000901", 93.0)


def _codes(verdict: NameVerdict) -> list[str]:
    return [r.code for r in verdict.reasons]


def test_an_unknown_name_is_available_and_grantable() -> None:
    verdict = judge_name("Coopérative Tifawin", same_as=[], similar=[])
    assert verdict.status == "available"
    assert verdict.grantable
    assert verdict.reasons == ()
    assert verdict.sensitive == ()


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("", ["name_empty"]),
        ("Coopérative", ["name_empty"]),
        ("Union des coopératives", ["name_empty"]),
        ("تعاونية", ["name_empty"]),
        ("Association Al Amal", ["name_missing_cooperative_word"]),
        ("جمعية الأمل", ["name_missing_cooperative_word"]),
        ("Coopérative de la Réforme Agraire Al Amal", ["name_agrarian_reform"]),
        ("Réforme agraire Al Amal", ["name_missing_cooperative_word", "name_agrarian_reform"]),
    ],
)
def test_a_name_that_cannot_be_a_cooperative_name_is_invalid(
    name: str, codes: list[str]
) -> None:
    verdict = judge_name(name, same_as=[REGISTERED], similar=[CLOSE])
    assert verdict.status == "invalid"
    assert not verdict.grantable
    assert _codes(verdict) == codes
    assert verdict.matches == ()


def test_invalid_reasons_cite_their_articles() -> None:
    missing = judge_name("Association Al Amal", same_as=[], similar=[]).reasons[0]
    assert missing.basis == law(7)
    assert "95" in missing.message.fr and "95" in missing.message.ar
    assert "Association Al Amal" in missing.message.fr
    agrarian = judge_name("تعاونية الإصلاح الزراعي", same_as=[], similar=[]).reasons[0]
    assert agrarian.code == "name_agrarian_reform"
    assert agrarian.basis == law(1)
    assert "تعاونية الإصلاح الزراعي" in agrarian.message.ar


def test_agrarian_reform_read_from_the_sector() -> None:
    verdict = judge_name("Coopérative Al Amal", same_as=[], similar=[], sector="réforme agraire")
    assert verdict.status == "invalid"
    assert _codes(verdict) == ["name_agrarian_reform"]


def test_a_name_already_taken_is_refused_naming_the_holder() -> None:
    verdict = judge_name("Coopérative El-Amal", same_as=[REGISTERED, RESERVED], similar=[CLOSE])
    assert verdict.status == "same_as"
    assert not verdict.grantable
    assert verdict.matches == (REGISTERED, RESERVED)
    (reason,) = verdict.reasons
    assert reason.code == "name_same_as"
    assert reason.basis == decree(3)
    for text in (reason.message.fr, reason.message.ar):
        assert "Coopérative Al Amal" in text and "12345" in text
        assert "تعاونية الأمل" in text and "NC-2025-000812" in text
        assert "Coopérative El-Amal" in text


def test_a_name_like_another_waits_for_an_officer_best_match_first() -> None:
    verdict = judge_name("Coopérative Al Amale", same_as=[], similar=[CLOSE, CLOSER])
    assert verdict.status == "too_like"
    assert not verdict.grantable
    assert verdict.matches == (CLOSER, CLOSE)
    (reason,) = verdict.reasons
    assert reason.code == "name_too_like"
    for text in (reason.message.fr, reason.message.ar):
        assert "Coopérative El Amal Tiznit" in text and "NC-2025-000901" in text
        assert "Coopérative Al Amel" in text and "23456" in text
    assert reason.message.fr.index("Tiznit") < reason.message.fr.index("Al Amel")


def test_sensitive_words_are_reported_without_changing_the_status() -> None:
    verdict = judge_name("Coopérative Royale Al Amal", same_as=[], similar=[])
    assert verdict.status == "available"
    assert verdict.sensitive == ("Royale",)
    assert _codes(verdict) == ["name_sensitive_words"]
    reason = verdict.reasons[0]
    assert reason.basis is None
    assert "Royale" in reason.message.fr and "Royale" in reason.message.ar


def test_office_sensitive_words_join_the_defaults_on_a_too_like_name() -> None:
    verdict = judge_name(
        "تعاونية الأمل الوطنية", same_as=[], similar=[CLOSE], extra_sensitive=["الأمل"]
    )
    assert verdict.status == "too_like"
    assert verdict.sensitive == ("الأمل", "الوطنية")
    assert _codes(verdict) == ["name_too_like", "name_sensitive_words"]


def test_a_similarity_score_outside_0_100_is_refused() -> None:
    with pytest.raises(ValueError):
        NameMatch("Coopérative Al Amal", "register", "1", 101.0)


def _verdict(name: str, status: str) -> NameVerdict:
    return NameVerdict(name, status, (), (), ())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("statuses", "granted"),
    [
        (["available", "available", "available"], 0),
        (["same_as", "available", "available"], 1),
        (["too_like", "invalid", "available"], 2),
        (["same_as", "too_like", "invalid"], None),
        ([], None),
    ],
)
def test_the_first_available_name_in_order_of_preference_is_granted(
    statuses: list[str], granted: int | None
) -> None:
    verdicts = [_verdict(f"Coopérative Choix {i}", s) for i, s in enumerate(statuses)]
    chosen = first_available(verdicts)
    assert chosen is (None if granted is None else verdicts[granted])
