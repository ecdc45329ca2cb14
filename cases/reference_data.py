"""The twelve regions and the office's thirteen delegations, as starting data.

The official list of delegations and the provinces they cover was not found: these rows
are a starting point that the office edits (they are data, not constants in the code).
One region holds two delegations: Al Hoceima's covers Al Hoceima, Taza, Taounate, Guercif.
"""

from __future__ import annotations

from sqlmodel import Session, select

from cases.models import Delegation, Region

REGIONS: list[tuple[str, str, str]] = [
    ("TTA", "Tanger-Tétouan-Al Hoceïma", "طنجة تطوان الحسيمة"),
    ("ORI", "L'Oriental", "الشرق"),
    ("FMK", "Fès-Meknès", "فاس مكناس"),
    ("RSK", "Rabat-Salé-Kénitra", "الرباط سلا القنيطرة"),
    ("BMK", "Béni Mellal-Khénifra", "بني ملال خنيفرة"),
    ("CST", "Casablanca-Settat", "الدار البيضاء سطات"),
    ("MSF", "Marrakech-Safi", "مراكش آسفي"),
    ("DTF", "Drâa-Tafilalet", "درعة تافيلالت"),
    ("SMA", "Souss-Massa", "سوس ماسة"),
    ("GON", "Guelmim-Oued Noun", "كلميم واد نون"),
    ("LSH", "Laâyoune-Sakia El Hamra", "العيون الساقية الحمراء"),
    ("DOD", "Dakhla-Oued Ed-Dahab", "الداخلة وادي الذهب"),
]

# code, region, name fr, name ar, provinces
DELEGATIONS: list[tuple[str, str, str, str, list[str]]] = [
    ("TNG", "TTA", "Délégation de Tanger", "مندوبية طنجة",
     ["Tanger-Assilah", "Tétouan", "Chefchaouen", "Larache", "Ouezzane", "Fahs-Anjra", "M'diq-Fnideq"]),
    ("AHC", "TTA", "Délégation d'Al Hoceima", "مندوبية الحسيمة",
     ["Al Hoceima", "Taza", "Taounate", "Guercif"]),
    ("OUJ", "ORI", "Délégation d'Oujda", "مندوبية وجدة",
     ["Oujda-Angad", "Nador", "Berkane", "Taourirt", "Jerada", "Figuig", "Driouch"]),
    ("FES", "FMK", "Délégation de Fès", "مندوبية فاس",
     ["Fès", "Meknès", "Sefrou", "Ifrane", "El Hajeb", "Boulemane", "Moulay Yacoub"]),
    ("RAB", "RSK", "Délégation de Rabat", "مندوبية الرباط",
     ["Rabat", "Salé", "Kénitra", "Khémisset", "Skhirate-Témara", "Sidi Kacem", "Sidi Slimane"]),
    ("BML", "BMK", "Délégation de Béni Mellal", "مندوبية بني ملال",
     ["Béni Mellal", "Khénifra", "Azilal", "Khouribga", "Fquih Ben Salah"]),
    ("CAS", "CST", "Délégation de Casablanca", "مندوبية الدار البيضاء",
     ["Casablanca", "Settat", "El Jadida", "Berrechid", "Mohammedia", "Benslimane", "Sidi Bennour"]),
    ("MRK", "MSF", "Délégation de Marrakech", "مندوبية مراكش",
     ["Marrakech", "Safi", "Essaouira", "El Kelaa des Sraghna", "Al Haouz", "Chichaoua", "Youssoufia"]),
    ("ERR", "DTF", "Délégation d'Errachidia", "مندوبية الرشيدية",
     ["Errachidia", "Ouarzazate", "Zagora", "Midelt", "Tinghir"]),
    ("AGA", "SMA", "Délégation d'Agadir", "مندوبية أكادير",
     ["Agadir Ida-Outanane", "Inezgane-Aït Melloul", "Taroudant", "Tiznit", "Chtouka-Aït Baha", "Tata"]),
    ("GLM", "GON", "Délégation de Guelmim", "مندوبية كلميم",
     ["Guelmim", "Tan-Tan", "Sidi Ifni", "Assa-Zag"]),
    ("LAA", "LSH", "Délégation de Laâyoune", "مندوبية العيون",
     ["Laâyoune", "Boujdour", "Tarfaya", "Es-Semara"]),
    ("DAK", "DOD", "Délégation de Dakhla", "مندوبية الداخلة",
     ["Oued Ed-Dahab", "Aousserd"]),
]


def load(db_session: Session) -> dict[str, int]:
    """Insert the regions and delegations that are missing; returns delegation ids by code."""
    have_regions = set(db_session.exec(select(Region.code)))
    for code, fr, ar in REGIONS:
        if code not in have_regions:
            db_session.add(Region(code=code, name_fr=fr, name_ar=ar))
    db_session.flush()
    ids: dict[str, int] = {c: i for c, i in db_session.exec(select(Delegation.code, Delegation.id)) if i}
    for code, region, fr, ar, provinces in DELEGATIONS:
        if code not in ids:
            delegation = Delegation(code=code, region_code=region, name_fr=fr, name_ar=ar, provinces=provinces)
            db_session.add(delegation)
            db_session.flush()
            assert delegation.id is not None
            ids[code] = delegation.id
    return ids
