"""The messages themselves: every template in both languages, what each must carry, what an
SMS costs, and telephone numbers. No database, no network."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from notifications import sms
from notifications.render import Renderer, RenderError, keys, render
from rules import phones
from workflows.registry import REGISTRY

LANGUAGES = ("fr", "ar")
# Sent by the scheduler rather than by a transition: deadlines and the managers' digest.
SCHEDULER_TEMPLATES = {"deadline_warning", "deadline_breached", "daily_digest"}


def workflow_templates() -> set[str]:
    """Every template a definition names: on opening, on each transition, in reminders."""
    found: set[str] = set()
    for compiled in REGISTRY.latest():
        wf = compiled.workflow
        found |= {n.template for n in wf.on_open}
        found |= {n.template for t in wf.transitions for n in t.notify}
        found |= {r.template for s in wf.states for r in s.reminders}
    return found


BASIS = {"fr": "décret 2-15-617, art. 4", "ar": "المرسوم 2.15.617، المادة 4"}
EXPLANATION = {
    "fr": "60 jours francs à compter de la délivrance du certificat le 2026-03-02, soit jusqu'au "
          "2026-05-01 inclus (décret 2-15-617, art. 4)",
    "ar": "60 يوما كاملة ابتداء من تسليم الشهادة بتاريخ 2026-03-02، أي إلى غاية 2026-05-01 "
          "(المرسوم 2.15.617، المادة 4)",
}


def context(language: str, last_day: date = date(2026, 5, 1)) -> dict[str, Any]:
    """What `cases.outbox.case_context` gives a template, with realistic values (a name with
    characters HTML must escape, the longest reference)."""
    deadline = {"last_day": last_day, "basis": BASIS[language], "explanation": EXPLANATION[language],
                "days": 60, "counting": "full_days"}
    fr = language == "fr"
    return {
        "office": "Office du Développement de la Coopération" if fr else "مكتب تنمية التعاون",
        "reference": "NA-2026-123456",
        "workflow": "Certificat de dénomination" if fr else "شهادة التسمية",
        "state": "Certificat délivré" if fr else "الشهادة مسلمة",
        "delegation": "Délégation d'Agadir" if fr else "مندوبية أكادير",
        "today": last_day,
        "recipient_name": "Fatima Ait Lahcen",
        "names": ["Coopérative <Tifawin> & Fils", "تعاونية تيفاوين لزيت الأركان"],
        "granted_name": "Coopérative <Tifawin> & Fils",
        "refusal_reason": "Le nom proposé est identique à celui d'une coopérative immatriculée.",
        "extended": False,
        "pin": "042137",
        "deadlines": {key: deadline for key in
                      ("decision", "manager_review", "certificate_validity", "extension_window")},
        "timer": {**deadline, "key": "decision", "kind": "warning", "elapsed_percent": 75},
        "overdue": 12, "at_risk": 3,
        "by_workflow": [("Certificat de dénomination" if fr else "شهادة التسمية", 12)],
        "by_officer": [("officer.agadir", 7), ("(unassigned)", 5)],
    }


def test_every_template_a_workflow_or_the_scheduler_sends_exists_in_both_languages() -> None:
    expected = workflow_templates() | SCHEDULER_TEMPLATES
    assert {"request_received", "name_approved", "name_refused", "certificate_expiring"} <= expected
    for language in LANGUAGES:
        assert set(keys(language)) == expected, language


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", sorted(workflow_templates() | SCHEDULER_TEMPLATES))
def test_every_template_renders_with_realistic_data(template: str, language: str) -> None:
    message = render(template, language, context(language))
    assert message.subject and "\n" not in message.subject
    assert message.text and message.sms and message.html
    if template != "daily_digest":
        assert "NA-2026-123456" in message.subject + message.text
        assert "NA-2026-123456" in message.sms and "NA-2026-123456" in message.html
    direction = 'dir="rtl" lang="ar"' if language == "ar" else 'dir="ltr"'
    assert f'<html lang="{language}"' in message.html and direction.split()[0] in message.html
    # People's words are escaped in HTML, and left alone in plain text.
    assert "<Tifawin>" not in message.html
    if "Tifawin" in message.text:
        assert "Coopérative <Tifawin> & Fils" in message.text
        assert "Coopérative &lt;Tifawin&gt; &amp; Fils" in message.html


def test_the_receipt_carries_reference_pin_and_the_decision_date_with_its_basis() -> None:
    fr = render("request_received", "fr", context("fr", last_day=date(2026, 3, 4)))
    assert "NA-2026-123456" in fr.subject
    assert "042137" in fr.text and "042137" in fr.sms and "042137" in fr.html
    assert "4 mars 2026" in fr.text and "04/03/2026" in fr.sms
    assert "décret 2-15-617, art. 4" in fr.sms
    ar = render("request_received", "ar", context("ar", last_day=date(2026, 3, 4)))
    assert "042137" in ar.sms and "4 مارس 2026" in ar.text and "04/03/2026" in ar.sms
    assert "المادة 4" in ar.sms


def test_a_decision_says_what_was_decided_and_what_to_do_next() -> None:
    approved = render("name_approved", "fr", context("fr"))
    assert "Coopérative <Tifawin> & Fils" in approved.text and "1 mai 2026" in approved.text
    assert "immatriculation" in approved.text and "7 jours francs" in approved.text
    refused = render("name_refused", "ar", context("ar"))
    assert "Le nom proposé est identique" in refused.text and "طلب جديد" in refused.text
    reminder = render("certificate_expiring", "ar", {**context("ar"), "extended": True})
    assert "1 ماي 2026" in reminder.subject and "لا يمكن تمديدها مرة أخرى" in reminder.text


def test_a_missing_variable_fails_instead_of_sending_a_hole() -> None:
    without_pin = {k: v for k, v in context("fr").items() if k != "pin"}
    with pytest.raises(RenderError, match="pin"):
        render("request_received", "fr", without_pin)
    without_deadline = {**context("ar"), "deadlines": {}}
    with pytest.raises(RenderError, match="certificate_validity"):
        render("name_approved", "ar", without_deadline)


def test_a_template_with_a_typo_is_caught(tmp_path: Path) -> None:
    (tmp_path / "fr").mkdir()
    (tmp_path / "_layout.html.j2").write_text("{% block content %}{% endblock %}")
    (tmp_path / "fr" / "oops.txt.j2").write_text(
        "{% block subject %}Dossier {{ refrence }}{% endblock %}"
        "{% block text %}x{% endblock %}{% block sms %}x{% endblock %}"
    )
    (tmp_path / "fr" / "oops.html.j2").write_text('{% extends "_layout.html.j2" %}')
    with pytest.raises(RenderError, match="refrence"):
        Renderer(tmp_path).render("oops", "fr", {"reference": "NA-2026-000001"})


def test_templates_run_in_a_sandbox(tmp_path: Path) -> None:
    (tmp_path / "fr").mkdir()
    (tmp_path / "_layout.html.j2").write_text("")
    (tmp_path / "fr" / "evil.txt.j2").write_text(
        "{% block subject %}{{ reference.__class__.__mro__[1].__subclasses__() }}{% endblock %}"
        "{% block text %}x{% endblock %}{% block sms %}x{% endblock %}"
    )
    (tmp_path / "fr" / "evil.html.j2").write_text("")
    with pytest.raises(RenderError, match=r"SecurityError|unsafe"):
        Renderer(tmp_path).render("evil", "fr", {"reference": "NA"})


# -- what an SMS costs ---------------------------------------------------------------------------

# Every day of a year whose dates are the longest to write in each language.
LONGEST_DAYS = [date(2026, month, 28) for month in range(1, 13)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_sms_fits_in_two_parts_whatever_the_date(language: str) -> None:
    for template in keys(language):
        for day in LONGEST_DAYS:
            text = render(template, language, {**context(language, last_day=day), "today": day}).sms
            assert sms.segments(text) <= 2, (template, language, len(text), text)


def test_french_sms_stay_in_the_gsm_alphabet() -> None:
    """One "ç" or "ê" would make them UCS-2, at 70 characters a part instead of 160."""
    for template in keys("fr"):
        for day in LONGEST_DAYS:
            text = render(template, "fr", {**context("fr", last_day=day), "today": day}).sms
            assert sms.encoding(text) == "gsm7", (template, text)


def test_an_arabic_sms_of_71_characters_counts_two_parts() -> None:
    arabic = "تم تسلم طلبكم"
    assert sms.encoding(arabic) == "ucs2"
    assert sms.segments((arabic * 10)[:70]) == 1
    assert sms.segments((arabic * 10)[:71]) == 2
    assert sms.segments((arabic * 20)[:134]) == 2
    assert sms.segments((arabic * 20)[:135]) == 3


def test_gsm_parts_count_extension_characters_twice() -> None:
    assert sms.segments("a" * 160) == 1 and sms.segments("a" * 161) == 2
    assert sms.segments("a" * 306) == 2 and sms.segments("a" * 307) == 3
    assert sms.encoding("€[]") == "gsm7" and sms.segments("€" * 80) == 1
    assert sms.segments("€" * 81) == 2  # 162 septets
    assert sms.encoding("Demande reçue") == "ucs2"


# -- telephone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["06 12 34 56 78", "0612345678", "+212 6 12 34 56 78",
                                     "00212612345678", "+212-612-345678"])
def test_moroccan_mobiles_become_e164(written: str) -> None:
    assert phones.sms_number(written) == "+212612345678"


def test_07_numbers_are_mobiles_too() -> None:
    assert phones.sms_number("07 12 34 56 78") == "+212712345678"


@pytest.mark.parametrize("written", ["12345", "06 12 34", "not a number", "+212 9 99 99 99 99"])
def test_invalid_numbers_are_refused(written: str) -> None:
    with pytest.raises(phones.InvalidPhone):
        phones.e164(written)


def test_a_landline_is_a_valid_number_that_cannot_take_an_sms() -> None:
    assert phones.e164("0528 82 00 00") == "+212528820000"
    with pytest.raises(phones.InvalidPhone, match="mobile"):
        phones.sms_number("0528 82 00 00")
