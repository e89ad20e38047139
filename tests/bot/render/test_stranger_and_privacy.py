"""Who the bot belongs to, whom strangers ask, and the data protection notice: the city
comes from the catalogue, everything else from the settings; no city is written into the
texts."""

from __future__ import annotations

import pytest

from bot.config.settings import load_settings
from bot.render import texts
from bot.standin.html import parse_html

ALL = {
    name: value for name, value in vars(texts).items() if name.isupper() and isinstance(value, str)
}


def plain(text: str) -> str:
    """What a person sees; raises where Telegram would refuse the HTML."""
    return parse_html(text).plain


@pytest.mark.parametrize("phrase", ["Mainz", "Büro für Migration", "Rheinland-Pfalz"])
def test_no_city_or_office_in_the_texts(phrase: str) -> None:
    assert [name for name, text in ALL.items() if phrase in text] == []


def test_about_names_the_city_of_the_catalogue() -> None:
    assert plain(texts.about("Mainz")).startswith(
        "Guten Tag! Ich bin der Bot der Stadt Mainz für das Monitoring des Integrationskonzepts."
    )
    assert plain(texts.about(None)).startswith(
        "Guten Tag! Ich bin der Bot für das Monitoring des Integrationskonzepts."
    )
    assert "der Stadt Bad <Kreuznach> & Co" in plain(texts.about("Bad <Kreuznach> & Co"))


def test_stranger_is_told_the_office_and_the_contact_line_if_any() -> None:
    without = texts.stranger("Amt für Vielfalt", None)
    assert plain(without) == (
        "Sie sind noch nicht freigeschaltet. Bitte wenden Sie sich an die Koordinierungsstelle "
        "(Amt für Vielfalt): Dort erhalten Sie einen persönlichen Einladungslink."
    )
    with_line = texts.stranger("Amt für Vielfalt", "vielfalt@example.org, Tel. 0123 45-6")
    assert plain(with_line) == plain(without) + "\nKontakt: vielfalt@example.org, Tel. 0123 45-6"
    assert "Kontakt: <a> & b" in plain(texts.stranger("<Amt>", "<a> & b"))


def test_default_controller_is_the_citys_coordination_office() -> None:
    assert texts.privacy_controller("Mainz", "Büro X") == "Stadt Mainz, Büro X"
    assert texts.privacy_controller(None, "Büro X") == "Büro X"


def notice(**changes: str | None) -> str:
    values: dict[str, str | None] = {
        "controller": "Stadt Musterstadt, Amt für Vielfalt",
        "purpose": "Monitoring des Plans.",
        "legal_basis": "Art. 6 Abs. 1 lit. e DSGVO",
        "retention": "Zehn Jahre.",
        "authority": "Landesdatenschutz Musterland",
        "officer": None,
    }
    values.update(changes)
    return texts.privacy(**values)  # type: ignore[arg-type]


def test_privacy_names_controller_purpose_basis_retention_and_rights() -> None:
    text = plain(notice())
    for line in (
        "Verantwortlich: Stadt Musterstadt, Amt für Vielfalt\n",
        "Zweck: Monitoring des Plans.\n",
        "Rechtsgrundlage: Art. 6 Abs. 1 lit. e DSGVO\n",
        "Speicherdauer: Zehn Jahre.\n",
        "Beschwerde bei der Aufsichtsbehörde (Landesdatenschutz Musterland)",
    ):
        assert line in text
    for right in ("Auskunft", "Berichtigung", "Löschung", "Einschränkung", "Widerspruch"):
        assert right in text
    # what the bot stores, and how to delete one's account
    assert "Telegram-Kennung und Ihr Anzeigename" in text
    assert "Belege" in text
    assert "Mit /abmelden löschen Sie Ihr Konto" in text
    assert "Datenschutzbeauftragte" not in text


def test_privacy_officer_line_only_when_configured() -> None:
    text = plain(notice(officer="datenschutz@example.org"))
    assert (
        "Verantwortlich: Stadt Musterstadt, Amt für Vielfalt\n"
        "Datenschutzbeauftragte/r: datenschutz@example.org\n\n"
    ) in text


def test_privacy_escapes_the_configured_values() -> None:
    text = plain(notice(controller="A <b> & C", retention="<i>immer</i>", officer="<x@y>"))
    assert "Verantwortlich: A <b> & C" in text
    assert "Speicherdauer: <i>immer</i>" in text
    assert "Datenschutzbeauftragte/r: <x@y>" in text


def test_default_notice_is_short_enough_for_a_phone() -> None:
    settings = load_settings()
    text = texts.privacy(
        controller=texts.privacy_controller("Mainz", settings.coordination_office),
        purpose=settings.privacy_purpose,
        legal_basis=settings.privacy_legal_basis,
        retention=settings.privacy_retention,
        authority=settings.privacy_authority,
        officer="datenschutz@stadt.example",
    )
    seen = plain(text)
    assert "Verantwortlich: Stadt Mainz, Büro für Migration und Integration" in seen
    assert len(seen) < 1500  # one screen or two, far below Telegram's 4,096
