"""Names of Moroccan cooperatives, made up for demonstrations and benchmarks.

A register in which every cooperative is called "Coopérative 17" tests nothing: the name
rules (same as, too like, transliteration across scripts) only meet their real difficulty
with names shaped like the real ones (see `domain/names-and-places.md`). A real name is the
cooperative word, a distinctive word or two that recur everywhere (الأمل, النور, Tifawin),
then often its activity and its place, in Arabic and in a French spelling whose vowels and
articles vary (Al Amal / El Amel). Activities and places go together here as in the
country (argan in Souss, saffron in Taliouine, dates in the oases), so that a demo register
reads as plausible and its spread over the delegations follows from what it produces.

Everything is drawn from the `random.Random` the caller passes in: a seed gives the same
register on every machine. Nothing here touches a database.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

# -- the words -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Word:
    """A distinctive word: its Arabic spelling and the French-style spellings seen for it."""

    ar: str
    fr: tuple[str, ...]
    weight: int = 1

    @property
    def has_article(self) -> bool:
        return self.ar.startswith("ال")


_WORDS: tuple[Word, ...] = (
    Word("الأمل", ("Al Amal", "El Amal", "Al Amel", "Amal"), 6),
    Word("النور", ("Annour", "Ennour", "An-Nour", "Nour", "Ennur"), 5),
    Word("الخير", ("Al Khair", "El Kheir", "Al Khayr", "El Khir"), 5),
    Word("البركة", ("Al Baraka", "El Baraka", "Al Barka"), 5),
    Word("التضامن", ("Attadamoun", "Ettadamoun", "At-Tadamoun", "Tadamoune"), 5),
    Word("الوفاق", ("Al Wifaq", "El Ouifak", "Al Ouifaq"), 4),
    Word("النجاح", ("Annajah", "Ennajah", "An-Najah", "Najah"), 5),
    Word("الفلاح", ("Al Falah", "El Fellah", "Al Fallah"), 4),
    Word("الإخلاص", ("Al Ikhlass", "El Ikhlas", "Al Ikhlas"), 3),
    Word("الرحمة", ("Arrahma", "Errahma", "Ar-Rahma"), 3),
    Word("السلام", ("Assalam", "Essalam", "Es-Salam", "Salam"), 4),
    Word("الوحدة", ("Al Wahda", "El Ouahda", "Al Ouahda"), 4),
    Word("الشروق", ("Achourouk", "Ech-Chourouk", "Echourouk", "Chourouk"), 3),
    Word("الواحة", ("Al Waha", "El Ouaha", "Al Ouaha"), 3),
    Word("الفجر", ("Al Fajr", "El Fajr"), 3),
    Word("الأطلس", ("Al Atlas", "Atlas"), 3),
    Word("الهدى", ("Al Houda", "El Houda"), 2),
    Word("الإحسان", ("Al Ihssane", "El Ihsane"), 2),
    Word("الأمانة", ("Al Amana", "El Amana"), 2),
    Word("الصفاء", ("Assafae", "Essafa", "As-Safa"), 2),
    Word("الوئام", ("Al Wiam", "El Ouiam"), 2),
    Word("الربيع", ("Arrabii", "Errabie", "Ar-Rabie"), 2),
    Word("المستقبل", ("Al Moustakbal", "El Mostakbal"), 2),
    Word("النهضة", ("Annahda", "Ennahda"), 2),
    Word("الأصالة", ("Al Assala", "El Assala"), 2),
    Word("الكرامة", ("Al Karama", "El Karama"), 2),
    Word("السعادة", ("Assaada", "Essaada"), 2),
    Word("البشرى", ("Al Bouchra", "El Bouchra"), 2),
    Word("الياسمين", ("Yasmine", "Al Yasmine"), 2),
    Word("الزيتونة", ("Zitouna", "Ezzitouna", "Az-Zitouna"), 2),
    Word("الريحان", ("Arrayhane", "Errihane"), 1),
    Word("الفتح", ("Al Fath", "El Fath"), 2),
    Word("الرياض", ("Arriad", "Erriad"), 1),
    Word("المحبة", ("Al Mahabba", "El Mahabba"), 2),
    Word("الإتقان", ("Al Itkane", "El Itqane"), 1),
    Word("الفردوس", ("Al Firdaous", "El Firdaws"), 1),
    Word("الأخوة", ("Al Oukhouwa", "El Akhawa"), 2),
    Word("التقدم", ("Attakadoum", "Ettaqaddoum"), 2),
    Word("الازدهار", ("Al Izdihar", "El Izdihar"), 2),
    Word("الغد", ("Al Ghad", "El Ghad"), 1),
    Word("الفضيلة", ("Al Fadila", "El Fadila"), 1),
    Word("النخيل", ("Annakhil", "Ennakhil"), 2),
    Word("الضياء", ("Addiyae", "Eddiya"), 1),
    Word("الزهور", ("Azzouhour", "Ezzouhour"), 2),
    Word("السنابل", ("Assanabil", "Essanabil"), 2),
    Word("الينابيع", ("Al Yanabie", "El Yanabii"), 1),
    Word("النسيم", ("Annassim", "Ennassim"), 1),
    Word("الهلال", ("Al Hilal", "El Hilal"), 1),
    Word("الأرز", ("Al Arz", "El Arz"), 1),
    Word("البساتين", ("Al Basatine", "El Bassatine"), 1),
    Word("المروج", ("Al Mourouj", "El Mourouj"), 1),
    Word("الإرادة", ("Al Irada", "El Irada"), 2),
    Word("المبادرة", ("Al Moubadara", "El Moubadara"), 2),
    Word("الإبداع", ("Al Ibdae", "El Ibdaa"), 1),
    Word("التنمية", ("Attanmia", "Ettanmia"), 3),
    Word("الأمان", ("Al Aman", "El Amane"), 1),
    Word("الطموح", ("Attoumouh", "Ettamouh"), 1),
    Word("الريادة", ("Arriyada", "Erriyada"), 1),
    Word("الرشاد", ("Arrachad", "Errachad"), 1),
    Word("الصمود", ("Assoumoud", "Essoumoud"), 1),
    Word("الوفاء", ("Al Wafae", "El Oufae"), 2),
    Word("الإيمان", ("Al Iman", "El Imane"), 1),
    Word("الأنوار", ("Al Anouar", "El Anwar"), 1),
    Word("البهجة", ("Al Bahja", "El Bahja"), 1),
    Word("الأجيال", ("Al Ajyal", "El Ajial"), 1),
    Word("الرواد", ("Arrouad", "Errouad"), 1),
    Word("المنار", ("Al Manar", "El Manar"), 1),
    Word("الأفق", ("Al Ofok", "El Ofoq"), 1),
    Word("السنبلة", ("Assounboula", "Essanboula"), 1),
    Word("الخيرات", ("Al Khayrat", "El Khirat"), 2),
    Word("الأمجاد", ("Al Amjad", "El Amjad"), 1),
    Word("الفرح", ("Al Farah", "El Farah"), 1),
    Word("العهد", ("Al Ahd", "El Ahd"), 1),
    Word("النصر", ("Annasr", "Ennasr"), 1),
    Word("التوفيق", ("Attawfik", "Ettaoufik"), 2),
    Word("المسيرة", ("Al Massira", "El Massira"), 2),
    Word("اليسر", ("Al Yousr", "El Yousr"), 1),
    Word("الرضا", ("Arrida", "Erreda"), 1),
    # Amazigh words, written in Arabic letters and in Latin ones
    Word("تيفاوين", ("Tifawin", "Tifaouine"), 3),
    Word("تودرت", ("Tudert", "Toudert"), 2),
    Word("تامونت", ("Tamount", "Tamunt"), 2),
    Word("تافوكت", ("Tafoukt", "Tafukt"), 2),
    Word("تيويزي", ("Tiwizi", "Tiouizi"), 2),
    Word("أزير", ("Azir", "Azzir"), 1),
    Word("أمود", ("Amoud", "Amud"), 1),
    Word("تانميرت", ("Tanmirt", "Tanmirte"), 2),
    Word("تاكمات", ("Tagmat", "Tagmate"), 1),
    Word("أفولكي", ("Afoulki", "Afulki"), 1),
    Word("أنزار", ("Anzar", "Anzare"), 1),
    Word("أسيف", ("Assif", "Asif"), 1),
    Word("أملال", ("Amlal", "Amellal"), 1),
    Word("إيزوران", ("Izouran", "Izuran"), 1),
    Word("أكال", ("Akal", "Akkal"), 1),
    Word("أدرار", ("Adrar", "Addrar"), 1),
    Word("تيلي", ("Tili", "Tilli"), 1),
    Word("تمازيرت", ("Tamazirt", "Tamazirte"), 1),
    Word("تادارت", ("Taddart", "Tadart"), 1),
    Word("تافسوت", ("Tafsut", "Tafsout"), 1),
    Word("تيزي", ("Tizi", "Tizzi"), 1),
    Word("تاسليت", ("Taslit", "Tasslit"), 1),
    Word("أسمون", ("Asmoun", "Asmun"), 1),
    Word("تيويرا", ("Tiwira", "Tiouira"), 1),
    Word("أيور", ("Ayour", "Ayyur"), 1),
    Word("تيتريت", ("Titrit", "Titrite"), 1),
    Word("أمنار", ("Amnar", "Amenar"), 1),
    Word("تاويزا", ("Taouiza", "Tawiza"), 1),
    # tribes, whose names many village cooperatives carry
    Word("آيت بوكماز", ("Aït Bouguemez", "Ait Bougmez"), 1),
    Word("آيت عطا", ("Aït Atta", "Ait Atta"), 1),
    Word("آيت باعمران", ("Aït Baamrane", "Ait Baamrane"), 1),
    Word("آيت حديدو", ("Aït Hdiddou", "Ait Haddidou"), 1),
    Word("آيت مرغاد", ("Aït Merghad", "Ait Morghad"), 1),
    Word("آيت سغروشن", ("Aït Seghrouchen", "Ait Sghrouchen"), 1),
    Word("آيت ورير", ("Aït Ourir", "Ait Ourir"), 1),
    Word("آيت عبد الله", ("Aït Abdellah", "Ait Abdallah"), 1),
)


@dataclass(frozen=True, slots=True)
class Activity:
    """What a cooperative does, the ways its name says so, and where it is typically done
    (provinces; empty = anywhere)."""

    key: str
    sector: str
    weight: int
    phrases: tuple[tuple[str, str], ...]  # (Arabic, French) after the distinctive word
    purpose: str  # the request form's "main purpose", in French
    provinces: tuple[str, ...] = ()


_ARGAN = ("Tiznit", "Taroudant", "Essaouira", "Agadir Ida-Outanane", "Chtouka-Aït Baha",
          "Inezgane-Aït Melloul", "Sidi Ifni", "Chichaoua", "Guelmim", "Tata")
_SAFFRON = ("Taroudant", "Ouarzazate", "Tinghir", "Al Haouz", "Azilal", "Tata")
_OASES = ("Errachidia", "Zagora", "Ouarzazate", "Tinghir", "Tata", "Figuig", "Guelmim",
          "Assa-Zag")
_OLIVES = ("Taounate", "Fès", "Meknès", "Moulay Yacoub", "El Kelaa des Sraghna", "Al Haouz",
           "Béni Mellal", "Azilal", "Chefchaouen", "Ouezzane", "Taza", "Sefrou", "Khénifra",
           "Sidi Kacem", "Marrakech", "Chichaoua", "El Hajeb", "Guercif")
_DAIRY = ("Sidi Slimane", "Sidi Kacem", "Kénitra", "Khémisset", "El Jadida", "Sidi Bennour",
          "Settat", "Berrechid", "Fquih Ben Salah", "Béni Mellal", "Meknès", "El Hajeb",
          "Khouribga", "Berkane", "Larache", "Benslimane")
_HERBS = ("Taounate", "Chefchaouen", "Azilal", "Khénifra", "Midelt", "Boulemane", "Al Haouz",
          "Tinghir", "Ifrane", "Sefrou", "Taza", "Jerada")
_CACTUS = ("Sidi Ifni", "Guelmim", "El Kelaa des Sraghna", "Safi", "Youssoufia", "Khouribga",
           "Tiznit", "Chichaoua", "Al Hoceima")
_COAST = ("Oued Ed-Dahab", "Laâyoune", "Boujdour", "Tarfaya", "Tan-Tan", "Sidi Ifni",
          "Agadir Ida-Outanane", "Tiznit", "Essaouira", "Safi", "El Jadida", "Casablanca",
          "Mohammedia", "Kénitra", "Larache", "Al Hoceima", "Nador", "M'diq-Fnideq",
          "Tanger-Assilah", "Chtouka-Aït Baha", "Driouch")
_ALMONDS = ("Tiznit", "Taroudant", "Al Haouz", "Azilal", "Chichaoua", "Tata", "Figuig")
_ROSES = ("Tinghir", "Ouarzazate")

_ACTIVITIES: tuple[Activity, ...] = (
    Activity("argan_oil", "agriculture", 9, (
        ("لإنتاج زيت الأركان", "pour la production de l'huile d'argan"),
        ("لإنتاج وتسويق زيت أركان", "de production et de commercialisation de l'huile d'argan"),
        ("لتثمين الأركان", "de valorisation de l'argan"),
    ), "production et commercialisation de l'huile d'argan", _ARGAN),
    Activity("olive_oil", "agriculture", 8, (
        ("لإنتاج زيت الزيتون", "pour la production d'huile d'olive"),
        ("لعصر الزيتون", "de trituration des olives"),
    ), "production d'huile d'olive", _OLIVES),
    Activity("honey", "agriculture", 6, (
        ("لتربية النحل", "d'apiculture"),
        ("لإنتاج العسل", "de production de miel"),
    ), "apiculture et production de miel"),
    Activity("saffron", "agriculture", 4, (
        ("لإنتاج الزعفران", "de production du safran"),
        ("لتثمين الزعفران", "de valorisation du safran"),
    ), "production et conditionnement du safran", _SAFFRON),
    Activity("dates", "agriculture", 5, (
        ("لإنتاج وتسويق التمور", "de production et de commercialisation des dattes"),
        ("لتثمين التمور", "de valorisation des dattes"),
    ), "production, conditionnement et commercialisation des dattes", _OASES),
    Activity("milk", "agriculture", 7, (
        ("لجمع الحليب", "de collecte de lait"),
        ("لإنتاج الحليب ومشتقاته", "de production de lait et dérivés"),
    ), "collecte et commercialisation du lait", _DAIRY),
    Activity("couscous", "agriculture", 3, (
        ("لإنتاج الكسكس", "de production de couscous"),
        ("للكسكس والمنتجات المحلية", "de couscous et produits du terroir"),
    ), "préparation de couscous et de produits du terroir"),
    Activity("herbs", "agriculture", 4, (
        ("للنباتات العطرية والطبية", "des plantes aromatiques et médicinales"),
        ("لتقطير النباتات العطرية", "de distillation des plantes aromatiques"),
    ), "cueillette et valorisation des plantes aromatiques et médicinales", _HERBS),
    Activity("roses", "agriculture", 1, (
        ("لتقطير الورد", "de distillation de la rose"),
    ), "distillation de l'eau de rose", _ROSES),
    Activity("cactus", "agriculture", 2, (
        ("لتثمين الصبار", "de valorisation du cactus"),
        ("لإنتاج التين الشوكي", "de production de figue de barbarie"),
    ), "valorisation du cactus et de la figue de barbarie", _CACTUS),
    Activity("livestock", "agriculture", 6, (
        ("لتربية الماشية", "d'élevage"),
        ("لتسمين العجول", "d'engraissement des veaux"),
        ("لتربية الماعز", "d'élevage caprin"),
    ), "élevage et commercialisation du bétail"),
    Activity("almonds", "agriculture", 2, (
        ("لإنتاج اللوز", "de production d'amandes"),
    ), "production et commercialisation des amandes", _ALMONDS),
    Activity("produce", "agriculture", 3, (
        ("لتسويق الخضر والفواكه", "de commercialisation des fruits et légumes"),
    ), "commercialisation des fruits et légumes"),
    Activity("carpets", "handicraft", 5, (
        ("للنسيج والزرابي", "de tissage et de tapis"),
        ("لصناعة الزرابي", "de tapis"),
    ), "tissage de tapis et de couvertures"),
    Activity("pottery", "handicraft", 2, (
        ("للفخار", "de poterie"),
        ("للخزف والفخار", "de poterie et céramique"),
    ), "poterie et céramique"),
    Activity("wood", "handicraft", 2, (
        ("للنجارة", "de menuiserie"),
        ("لصناعة الخشب", "du travail du bois"),
    ), "menuiserie et travail du bois"),
    Activity("leather", "handicraft", 2, (
        ("للصناعة الجلدية", "de maroquinerie"),
        ("للجلد", "du cuir"),
    ), "maroquinerie et travail du cuir"),
    Activity("sewing", "handicraft", 5, (
        ("للخياطة والطرز", "de couture et de broderie"),
        ("للخياطة", "de couture"),
    ), "couture et broderie"),
    Activity("housing", "housing", 5, (
        ("للسكن", "d'habitat"),
        ("للسكنى", "de logement"),
    ), "construction de logements pour les membres"),
    Activity("fishing", "fishing", 3, (
        ("للصيد التقليدي", "de pêche artisanale"),
        ("للصيد البحري", "de pêche maritime"),
    ), "pêche artisanale et commercialisation du poisson", _COAST),
    Activity("services", "services", 4, (
        ("للخدمات", "de services"),
        ("للخدمات والتنمية", "de services et de développement"),
        ("للنظافة والبستنة", "de nettoyage et de jardinage"),
    ), "prestation de services aux membres et aux collectivités"),
    Activity("transport", "transport", 3, (
        ("للنقل", "de transport"),
        ("للنقل المزدوج", "de transport mixte"),
        ("للنقل المدرسي", "de transport scolaire"),
    ), "transport de personnes et de marchandises"),
)

SECTORS: tuple[str, ...] = ("agriculture", "handicraft", "housing", "fishing", "services",
                            "transport")


@dataclass(frozen=True, slots=True)
class Place:
    """A town seen in names, with the province (as in the office's delegation list) it is in.
    `weight` stands for how many cooperatives it has, roughly."""

    fr: str
    ar: str
    province: str
    weight: int


_PLACES: tuple[Place, ...] = (
    # Tanger
    Place("Tanger", "طنجة", "Tanger-Assilah", 2), Place("Assilah", "أصيلة", "Tanger-Assilah", 1),
    Place("Tétouan", "تطوان", "Tétouan", 2), Place("Chefchaouen", "شفشاون", "Chefchaouen", 4),
    Place("Larache", "العرائش", "Larache", 3), Place("Ksar El Kébir", "القصر الكبير", "Larache", 2),
    Place("Ouezzane", "وزان", "Ouezzane", 3), Place("Ksar Sghir", "القصر الصغير", "Fahs-Anjra", 1),
    Place("Fnideq", "الفنيدق", "M'diq-Fnideq", 1),
    # Al Hoceima
    Place("Al Hoceima", "الحسيمة", "Al Hoceima", 3), Place("Imzouren", "إمزورن", "Al Hoceima", 1),
    Place("Taza", "تازة", "Taza", 3), Place("Taounate", "تاونات", "Taounate", 4),
    Place("Guercif", "جرسيف", "Guercif", 2),
    # Oriental
    Place("Oujda", "وجدة", "Oujda-Angad", 3), Place("Nador", "الناظور", "Nador", 2),
    Place("Berkane", "بركان", "Berkane", 3), Place("Taourirt", "تاوريرت", "Taourirt", 2),
    Place("Jerada", "جرادة", "Jerada", 2), Place("Figuig", "فجيج", "Figuig", 3),
    Place("Bouarfa", "بوعرفة", "Figuig", 1), Place("Driouch", "الدريوش", "Driouch", 2),
    # Fès-Meknès
    Place("Fès", "فاس", "Fès", 3), Place("Meknès", "مكناس", "Meknès", 3),
    Place("Sefrou", "صفرو", "Sefrou", 3), Place("Ifrane", "إفران", "Ifrane", 2),
    Place("Azrou", "أزرو", "Ifrane", 2), Place("El Hajeb", "الحاجب", "El Hajeb", 2),
    Place("Missour", "ميسور", "Boulemane", 2),
    Place("Moulay Yacoub", "مولاي يعقوب", "Moulay Yacoub", 2),
    # Rabat
    Place("Rabat", "الرباط", "Rabat", 1), Place("Salé", "سلا", "Salé", 2),
    Place("Kénitra", "القنيطرة", "Kénitra", 3), Place("Khémisset", "الخميسات", "Khémisset", 4),
    Place("Témara", "تمارة", "Skhirate-Témara", 1),
    Place("Sidi Kacem", "سيدي قاسم", "Sidi Kacem", 3),
    Place("Sidi Slimane", "سيدي سليمان", "Sidi Slimane", 3),
    # Béni Mellal
    Place("Béni Mellal", "بني ملال", "Béni Mellal", 4), Place("Khénifra", "خنيفرة", "Khénifra", 4),
    Place("Azilal", "أزيلال", "Azilal", 5), Place("Demnate", "دمنات", "Azilal", 2),
    Place("Khouribga", "خريبكة", "Khouribga", 3),
    Place("Fquih Ben Salah", "الفقيه بن صالح", "Fquih Ben Salah", 3),
    # Casablanca-Settat
    Place("Casablanca", "الدار البيضاء", "Casablanca", 2), Place("Settat", "سطات", "Settat", 3),
    Place("El Jadida", "الجديدة", "El Jadida", 4), Place("Berrechid", "برشيد", "Berrechid", 2),
    Place("Mohammedia", "المحمدية", "Mohammedia", 1),
    Place("Benslimane", "بنسليمان", "Benslimane", 2),
    Place("Sidi Bennour", "سيدي بنور", "Sidi Bennour", 3),
    # Marrakech-Safi
    Place("Marrakech", "مراكش", "Marrakech", 3), Place("Safi", "آسفي", "Safi", 3),
    Place("Essaouira", "الصويرة", "Essaouira", 6), Place("Tamanar", "تمنار", "Essaouira", 3),
    Place("El Kelaa des Sraghna", "قلعة السراغنة", "El Kelaa des Sraghna", 4),
    Place("Amizmiz", "أمزميز", "Al Haouz", 3), Place("Imlil", "إمليل", "Al Haouz", 2),
    Place("Tahannaout", "تحناوت", "Al Haouz", 2), Place("Chichaoua", "شيشاوة", "Chichaoua", 4),
    Place("Youssoufia", "اليوسفية", "Youssoufia", 2),
    # Drâa-Tafilalet
    Place("Errachidia", "الرشيدية", "Errachidia", 4), Place("Erfoud", "أرفود", "Errachidia", 3),
    Place("Rissani", "الريصاني", "Errachidia", 3), Place("Goulmima", "كلميمة", "Errachidia", 2),
    Place("Tinejdad", "تنجداد", "Errachidia", 2), Place("Ouarzazate", "ورزازات", "Ouarzazate", 4),
    Place("Skoura", "سكورة", "Ouarzazate", 2), Place("Taznakht", "تازناخت", "Ouarzazate", 2),
    Place("Zagora", "زاكورة", "Zagora", 4), Place("Agdz", "أكدز", "Zagora", 2),
    Place("Midelt", "ميدلت", "Midelt", 4), Place("Tinghir", "تنغير", "Tinghir", 4),
    Place("Kelaat M'Gouna", "قلعة مكونة", "Tinghir", 3),
    # Souss-Massa
    Place("Agadir", "أكادير", "Agadir Ida-Outanane", 3),
    Place("Imouzzer", "إموزار", "Agadir Ida-Outanane", 2),
    Place("Aït Melloul", "أيت ملول", "Inezgane-Aït Melloul", 2),
    Place("Taroudant", "تارودانت", "Taroudant", 6), Place("Taliouine", "تالوين", "Taroudant", 4),
    Place("Oulad Berhil", "أولاد برحيل", "Taroudant", 2), Place("Tiznit", "تيزنيت", "Tiznit", 6),
    Place("Tafraout", "تافراوت", "Tiznit", 4), Place("Aït Baha", "أيت باها", "Chtouka-Aït Baha", 4),
    Place("Biougra", "بيوكرى", "Chtouka-Aït Baha", 3), Place("Tata", "طاطا", "Tata", 4),
    # Guelmim-Oued Noun
    Place("Guelmim", "كلميم", "Guelmim", 4), Place("Tan-Tan", "طانطان", "Tan-Tan", 2),
    Place("Sidi Ifni", "سيدي إفني", "Sidi Ifni", 3), Place("Assa", "أسا", "Assa-Zag", 2),
    # Laâyoune
    Place("Laâyoune", "العيون", "Laâyoune", 3), Place("Boujdour", "بوجدور", "Boujdour", 2),
    Place("Tarfaya", "طرفاية", "Tarfaya", 1), Place("Smara", "السمارة", "Es-Semara", 2),
    # Dakhla
    Place("Dakhla", "الداخلة", "Oued Ed-Dahab", 3), Place("Aousserd", "أوسرد", "Aousserd", 1),
    # villages, ksour and douars: most rural cooperatives are named after theirs
    *(Place(fr, ar, province, 1) for fr, ar, province in (
        ("Douar Tagadirt", "دوار تكاديرت", "Chtouka-Aït Baha"),
        ("Douar Ighil", "دوار إغيل", "Taroudant"),
        ("Douar Anzi", "دوار أنزي", "Tiznit"),
        ("Douar Tizgui", "دوار تيزكي", "Tata"),
        ("Douar Aguerd", "دوار أكرض", "Taroudant"),
        ("Douar Tamsoult", "دوار تمسولت", "Essaouira"),
        ("Imi n'Tlit", "إيمي نتليت", "Essaouira"),
        ("Douar Idmine", "دوار إدمين", "Agadir Ida-Outanane"),
        ("Douar Tidsi", "دوار تيدسي", "Taroudant"),
        ("Ouijjane", "وجان", "Tiznit"),
        ("Douar Ait Ali", "دوار آيت علي", "Al Haouz"),
        ("Tamatert", "تمترت", "Al Haouz"),
        ("Aremd", "أرمد", "Al Haouz"),
        ("Tabant", "تابانت", "Azilal"),
        ("Agouti", "أكوتي", "Azilal"),
        ("Zaouiat Ahansal", "زاوية أحنصال", "Azilal"),
        ("Aït Ben Haddou", "آيت بن حدو", "Ouarzazate"),
        ("Tamegroute", "تامكروت", "Zagora"),
        ("M'Hamid", "امحاميد الغزلان", "Zagora"),
        ("Nkob", "النقوب", "Zagora"),
        ("Alnif", "ألنيف", "Tinghir"),
        ("Boumalne Dadès", "بومالن دادس", "Tinghir"),
        ("Msemrir", "مسمرير", "Tinghir"),
        ("Imilchil", "إملشيل", "Midelt"),
        ("Aoufous", "أوفوس", "Errachidia"),
        ("Jorf", "الجرف", "Errachidia"),
        ("Tinzouline", "تنزولين", "Zagora"),
        ("Ighrem", "إغرم", "Taroudant"),
        ("Askaoun", "أسكاون", "Taroudant"),
        ("Tioute", "تيوت", "Taroudant"),
        ("Tighmi", "تيغمي", "Tiznit"),
        ("Mirleft", "ميرلفت", "Sidi Ifni"),
        ("Tamri", "تامري", "Agadir Ida-Outanane"),
        ("Aourir", "أورير", "Agadir Ida-Outanane"),
        ("Smimou", "سميمو", "Essaouira"),
        ("Had Draa", "حد الدرى", "Essaouira"),
        ("Ourika", "أوريكة", "Al Haouz"),
        ("Asni", "أسني", "Al Haouz"),
        ("Ouirgane", "ويركان", "Al Haouz"),
        ("Imintanoute", "إمنتانوت", "Chichaoua"),
        ("Mjatt", "مجاط", "Chichaoua"),
        ("Tamesloht", "تامصلوحت", "Al Haouz"),
        ("Bin El Ouidane", "بين الويدان", "Azilal"),
        ("Ouzoud", "أوزود", "Azilal"),
        ("Aghbala", "أغبالة", "Béni Mellal"),
        ("Lqbab", "القباب", "Khénifra"),
        ("Aguelmous", "أكلموس", "Khénifra"),
        ("Bab Berred", "باب برد", "Chefchaouen"),
        ("Bab Taza", "باب تازة", "Chefchaouen"),
        ("Akchour", "أقشور", "Chefchaouen"),
        ("Ghafsai", "غفساي", "Taounate"),
        ("Tissa", "تيسة", "Taounate"),
        ("Karia Ba Mohamed", "قرية با محمد", "Taounate"),
        ("Tahla", "تاهلة", "Taza"),
        ("Zaïo", "زايو", "Nador"),
        ("Ahfir", "أحفير", "Berkane"),
        ("Debdou", "دبدو", "Taourirt"),
        ("Imouzzer Kandar", "إيموزار كندر", "Sefrou"),
        ("Bhalil", "البهاليل", "Sefrou"),
        ("Aïn Leuh", "عين اللوح", "Ifrane"),
        ("Timahdite", "تيمحضيت", "Ifrane"),
        ("Outat El Haj", "أوطاط الحاج", "Boulemane"),
        ("Tiflet", "تيفلت", "Khémisset"),
        ("Oulmès", "والماس", "Khémisset"),
        ("Souk El Arbaa", "سوق الأربعاء", "Kénitra"),
        ("Mechra Bel Ksiri", "مشرع بلقصيري", "Sidi Kacem"),
        ("Oualidia", "الوليدية", "Sidi Bennour"),
        ("Azemmour", "أزمور", "El Jadida"),
        ("Ben Ahmed", "ابن أحمد", "Settat"),
        ("Oulad Said", "أولاد سعيد", "Settat"),
        ("Sidi Rahal", "سيدي رحال", "El Kelaa des Sraghna"),
        ("Tamellalt", "تملالت", "El Kelaa des Sraghna"),
        ("Bouizakarne", "بويزكارن", "Guelmim"),
        ("Foum Zguid", "فم زكيد", "Tata"),
        ("Akka", "أقا", "Tata"),
        ("Tissint", "تيسينت", "Tata"),
        ("El Marsa", "المرسى", "Laâyoune"),
        ("Bir Gandouz", "بئر كندوز", "Aousserd"),
        ("Oued Laou", "واد لاو", "Tétouan"),
        ("Martil", "مرتيل", "M'diq-Fnideq"),
        ("Ajdir", "أجدير", "Al Hoceima"),
        ("Targuist", "تارجيست", "Al Hoceima"),
        ("Bni Drar", "بني درار", "Oujda-Angad"),
        ("Ain Cheggag", "عين الشكاك", "Sefrou"),
        ("Tafrata", "تافراطة", "Guercif"),
    )),
)

# -- the people ------------------------------------------------------------------------------

_FIRST_NAMES = (
    "Mohamed", "Fatima", "Ahmed", "Khadija", "Aicha", "Hassan", "Brahim", "Lahcen", "Youssef",
    "Rachid", "Said", "Malika", "Zahra", "Naima", "Hafida", "Abdellah", "Omar", "Mustapha",
    "Latifa", "Souad", "Hind", "Meryem", "Ayoub", "Hamid", "Driss", "Jamal", "Karima", "Fadma",
    "Itto", "Mimoun", "Aziz", "Rkia", "Mina", "Zineb", "Samira", "Abderrahim", "Hicham", "Nadia",
    "Ilham", "Touria", "Mbark", "Lhoussaine", "Ijja", "Hakima", "Soukaina", "Othmane", "Yamna",
)
_FAMILY_NAMES = (
    "Alaoui", "Bennani", "Idrissi", "El Amrani", "Ait Lahcen", "Oubella", "Bouzid", "Tazi",
    "Berrada", "Chraibi", "Ouali", "Amzil", "Ait Ouahmane", "El Fassi", "Benjelloun", "Lahlou",
    "Ouchen", "Bakkali", "Zeroual", "Hajji", "Naciri", "Kabbaj", "Essaidi", "Boukhari",
    "El Haddad", "Ait Taleb", "Oufkir", "Amrani", "Bouhaddou", "Aznag", "Id Belkacem",
    "Ait Baha", "Ouaziz", "Errami", "Moussaoui", "Benali", "Kettani", "Ouakrim", "Boutaleb",
)


def person_name(rng: random.Random) -> str:
    """A founder's or an applicant's name, as written on a request form."""
    return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_FAMILY_NAMES)}"


# -- composing names -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GeneratedName:
    """One cooperative's two names and what they say about it.

    `place` is the town named in the name (None when the name names none); `province` is
    where the cooperative is, always set, so that a demo register can file it under the
    right delegation. `kind` is "cooperative", "women" (a women's cooperative) or "union"."""

    name_ar: str
    name_fr: str
    sector: str
    place: str | None
    activity: str | None
    province: str
    kind: str = "cooperative"


@dataclass(frozen=True, slots=True)
class Proposal:
    """A new request's proposed names (1 to 3, in order of preference, Arabic and French
    mixed as founders write them) and the form's other answers."""

    names: list[str]
    sector: str
    activity: str | None
    province: str
    purpose: str


_SECTOR_PURPOSES = {
    "agriculture": "production et commercialisation de produits agricoles",
    "handicraft": "production et commercialisation de produits artisanaux",
    "housing": "construction de logements pour les membres",
    "fishing": "pêche artisanale",
    "services": "prestation de services",
    "transport": "transport de personnes et de marchandises",
}
_SECTOR_WEIGHTS = (66, 16, 6, 3, 5, 4)


def _cumulative(weights: Sequence[int]) -> list[int]:
    return list(itertools.accumulate(weights))


class _Tables:
    """Cumulative weights computed once: `rng.choices` with `cum_weights` is several times
    faster than with `weights`, and 100,000 names must come out in about a second."""

    def __init__(self) -> None:
        self.words_cum = _cumulative([w.weight for w in _WORDS])
        self.article_words = [w for w in _WORDS if w.has_article]
        self.activities_cum = _cumulative([a.weight for a in _ACTIVITIES])
        self.places_cum = _cumulative([p.weight for p in _PLACES])
        self.places_for: dict[str, tuple[list[Place], list[int]]] = {}
        for activity in _ACTIVITIES:
            if activity.provinces:
                wanted = set(activity.provinces)
                places = [p for p in _PLACES if p.province in wanted]
                self.places_for[activity.key] = (places, _cumulative([p.weight for p in places]))


_T = _Tables()


def _word(rng: random.Random) -> Word:
    return rng.choices(_WORDS, cum_weights=_T.words_cum)[0]


def _distinctive(rng: random.Random) -> tuple[str, str]:
    """One distinctive word, or now and then a pair joined by "and" (الخير والبركة)."""
    first = _word(rng)
    if first.has_article and rng.random() < 0.08:
        second = rng.choice(_T.article_words)
        if second is not first:
            return (f"{first.ar} و{second.ar}",
                    f"{rng.choice(first.fr)} wa {rng.choice(second.fr)}")
    return first.ar, rng.choice(first.fr)


def _place_for(
    rng: random.Random, activity: Activity | None, within: Collection[str] | None = None
) -> Place:
    if within is not None:
        typical = activity.provinces if activity is not None and activity.provinces else None
        places = [p for p in _PLACES if p.province in within
                  and (typical is None or p.province in typical)]
        if places:
            return rng.choices(places, weights=[p.weight for p in places])[0]
    if activity is not None and activity.key in _T.places_for:
        places, cum = _T.places_for[activity.key]
        return rng.choices(places, cum_weights=cum)[0]
    return rng.choices(_PLACES, cum_weights=_T.places_cum)[0]


def _activity(rng: random.Random, within: Collection[str] | None) -> Activity:
    """An activity, weighted; within given provinces, one that is done there (saffron is
    not a Rabat cooperative's)."""
    for _ in range(50):
        activity = rng.choices(_ACTIVITIES, cum_weights=_T.activities_cum)[0]
        if within is None or not activity.provinces or set(activity.provinces) & set(within):
            return activity
    return activity


def _of_place(place: str) -> str:
    return f"d'{place}" if place[0] in "AEIOUÉaeioué" else f"de {place}"


def _compose(
    distinctive: tuple[str, str],
    phrase: tuple[str, str] | None,
    place: Place | None,
    kind: str,
    style: float,
) -> tuple[str, str]:
    """The Arabic and French names from their parts. `style` (0-1) picks between the
    word orders that are both in use, so that one draw decides both names alike."""
    d_ar, d_fr = distinctive
    ar_parts = [d_ar]
    fr_parts = [d_fr]
    if phrase is not None:
        ar_parts.append(phrase[0])
        fr_parts.append(phrase[1])
    ar_tail = " ".join(ar_parts + ([place.ar] if place else []))
    fr_tail = " ".join(fr_parts)
    if place is not None:
        after_comma = phrase is not None or style < 0.5
        fr_tail += f", {place.fr}" if after_comma else f" {_of_place(place.fr)}"
    if kind == "union":
        return f"اتحاد تعاونيات {ar_tail}", f"Union des coopératives {fr_tail}"
    if kind == "women":
        if style < 0.5:
            return f"التعاونية النسوية {ar_tail}", f"Coopérative féminine {fr_tail}"
        return (f"تعاونية {d_ar} النسوية {ar_tail[len(d_ar) + 1:]}".rstrip(),
                f"Coopérative féminine {fr_tail}")
    return f"تعاونية {ar_tail}", f"Coopérative {fr_tail}"


def _kind(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.015:
        return "union"
    if roll < 0.145:
        return "women"
    return "cooperative"


def _one(
    rng: random.Random,
    distinctive: tuple[str, str] | None = None,
    within: Collection[str] | None = None,
) -> GeneratedName:
    kind = _kind(rng)
    roll = rng.random()
    # Unions always say what they federate and where; other names often say both, and
    # rarely neither (then the distinctive word alone must carry the name).
    with_activity = kind == "union" or roll < 0.80
    with_place = kind == "union" or roll < 0.62 or roll >= 0.83
    activity = _activity(rng, within) if with_activity else None
    if activity is None:
        sector = rng.choices(SECTORS, weights=_SECTOR_WEIGHTS)[0]
        phrase = None
    else:
        sector = activity.sector
        phrase = rng.choice(activity.phrases)
    place = _place_for(rng, activity, within)
    name_ar, name_fr = _compose(
        distinctive or _distinctive(rng), phrase, place if with_place else None, kind, rng.random()
    )
    return GeneratedName(
        name_ar=name_ar,
        name_fr=name_fr,
        sector=sector,
        place=place.fr if with_place else None,
        activity=activity.key if activity else None,
        province=place.province,
        kind=kind,
    )


def cooperative_names(rng: random.Random, n: int) -> list[GeneratedName]:
    """`n` cooperatives' names. Most are distinct; a few repeat, as recurring words make
    them do in the real register (a caller that needs a register without same-as
    duplicates skips the repeats by key)."""
    return [_one(rng) for _ in range(n)]


def proposal_for(
    rng: random.Random,
    *,
    provinces: Collection[str] | None = None,
    distinctive: tuple[str, str] | None = None,
) -> Proposal:
    """A new request, optionally in one of `provinces` (a delegation's) and around a given
    distinctive word (Arabic, French). The names after the first keep its activity and
    place with another distinctive word, as founders propose fallbacks. Provinces that
    no known place lies in (the office renamed one) are ignored rather than refused."""
    first = _one(rng, distinctive, provinces)
    activity = next((a for a in _ACTIVITIES if a.key == first.activity), None)
    place = next((p for p in _PLACES if p.fr == first.place), None)
    names = [first.name_ar if rng.random() < 0.65 else first.name_fr]
    count = rng.choices((1, 2, 3), weights=(35, 35, 30))[0]
    for _ in range(20 * count):
        if len(names) == count:
            break
        phrase = rng.choice(activity.phrases) if activity else None
        name_ar, name_fr = _compose(_distinctive(rng), phrase, place, first.kind, rng.random())
        name = name_ar if rng.random() < 0.5 else name_fr
        if name not in names:
            names.append(name)
    return Proposal(
        names=names,
        sector=first.sector,
        activity=first.activity,
        province=first.province,
        purpose=activity.purpose if activity else _SECTOR_PURPOSES[first.sector],
    )


def proposal(rng: random.Random) -> list[str]:
    """The 1 to 3 names proposed by a new request, in order of preference."""
    return proposal_for(rng).names


# -- spelling variants -----------------------------------------------------------------------

_LEGAL_OR_ARTICLE = frozenset({
    "coopérative", "cooperative", "féminine", "union", "des", "coopératives", "al", "el",
    "an", "ar", "as", "at", "es", "ech", "aït", "ait",
})
_VOWEL_SWAPS = (("ou", "u"), ("a", "e"), ("e", "a"), ("i", "e"), ("u", "ou"), ("o", "ou"))


def respelled(name_fr: str) -> str | None:
    """The same name with one vowel of its distinctive word spelled otherwise (Amal /
    Amel, Nour / Nur), as French-style spellings vary in Morocco: a name a person reads as
    the registered one. None when the name offers no vowel to change."""
    tokens = re.split(r"(\s+|-)", name_fr)
    for index, token in enumerate(tokens):
        if not token.strip() or token == "-" or token.lower() in _LEGAL_OR_ARTICLE:
            continue
        lower = token.lower()
        for old, new in _VOWEL_SWAPS:
            at = lower.rfind(old, 1)  # the first letter stays: it carries the look of the word
            if at > 0:
                tokens[index] = token[:at] + new + token[at + len(old):]
                return "".join(tokens)
        return None
    return None
