"""Pin the shape of the bundled Mainz catalogue, counted by hand from the plan document."""

from __future__ import annotations

import pytest

from seed.schema import Catalogue, Term


def test_counts_match_the_plan(mainz: Catalogue) -> None:
    assert len(mainz.fields) == 5
    assert len(mainz.goals()) == 14
    assert len(mainz.measures()) == 26
    assert len(mainz.horizon_targets()) == 47
    assert len(mainz.offices) == 19


def test_fields_in_document_order(mainz: Catalogue) -> None:
    assert [(f.numeral, f.title) for f in mainz.fields] == [
        ("I", "Bildung"),
        ("II", "Ausbildung und berufliche Integration"),
        ("III", "Wohnen"),
        ("IV", "Zivilgesellschaftliches Engagement"),
        ("V", "Gesundheit"),
    ]
    assert [len(f.goals) for f in mainz.fields] == [4, 1, 4, 3, 2]
    assert [sum(len(g.measures) for g in f.goals) for f in mainz.fields] == [7, 4, 6, 6, 3]


def test_codes_follow_document_order(mainz: Catalogue) -> None:
    assert [g.code for g in mainz.goals()] == [
        "I.1", "I.2", "I.3", "I.4", "II.1", "III.1", "III.2", "III.3", "III.4",
        "IV.1", "IV.2", "IV.3", "V.1", "V.2",
    ]  # fmt: skip
    by_goal = {g.code: [m.code for m in g.measures] for g in mainz.goals()}
    assert by_goal["I.2"] == ["I.2.1", "I.2.2", "I.2.3"]
    assert by_goal["II.1"] == ["II.1.1", "II.1.2", "II.1.3", "II.1.4"]
    # goals with a single unnumbered measure get ".1"
    for code in ("I.1", "I.3", "III.2", "III.4", "IV.1", "V.2"):
        assert by_goal[code] == [f"{code}.1"]


def _measure(catalogue: Catalogue, code: str):  # type: ignore[no-untyped-def]
    return next(m for m in catalogue.measures() if m.code == code)


@pytest.mark.parametrize(
    ("code", "offices"),
    [
        ("I.1.1", ["Fachstelle „Frühe Hilfen – Kindesschutz – Familienbildung“"]),
        (
            "I.2.1",
            [
                "Abteilung Kindertagesstätten",
                "Koordinierungsstelle der Bildungsangebote für Neuzugewanderte",
            ],
        ),
        ("I.4.2", ["Jugendhilfeplanung", "Amt für Jugend und Familie"]),
        (
            "III.1.1",
            [
                "Leitstelle Wohnen",
                "Stadtplanungsamt",
                "Amt für Stadtentwicklung, Statistik und Wahlen",
                "Amt für soziale Leistungen",
                "Amt für Wirtschaft und Liegenschaften",
            ],
        ),
        (
            "III.1.2",
            [
                "Leitstelle Wohnen",
                "Amt für soziale Leistungen",
                "Geschäftsstelle des Umlegungsausschusses im Bauamt",
            ],
        ),
        ("III.3.1", ["Frauenbüro", "Sozialdezernat", "AK Gewalt an Frauen und Kindern"]),
        (
            "III.3.2",
            [
                "Koordinierungsstelle für gleichgeschlechtliche Lebensweisen",
                "Amt für soziale Leistungen",
            ],
        ),
        ("IV.2.2", ["Büro für Migration und Integration"]),
        ("V.1.2", ["Amt für Jugend und Familie"]),
        ("V.2.1", ["Büro für Migration und Integration", "Sozialplanung"]),
    ],
)
def test_offices_of_sample_measures(mainz: Catalogue, code: str, offices: list[str]) -> None:
    assert list(_measure(mainz, code).offices) == offices


def test_an_office_named_in_several_measures_is_one_office(mainz: Catalogue) -> None:
    assert mainz.offices.count("Amt für soziale Leistungen") == 1
    responsible = [m.code for m in mainz.measures() if "Amt für soziale Leistungen" in m.offices]
    assert responsible == ["III.1.1", "III.1.2", "III.3.2", "V.1.1"]
    fluechtlingskoordination = [
        m.code for m in mainz.measures() if "Flüchtlingskoordination" in m.offices
    ]
    assert fluechtlingskoordination == [
        "III.2.1",
        "III.4.1",
        "IV.1.1",
        "IV.2.1",
        "IV.3.1",
        "IV.3.2",
    ]


def test_two_term_horizons_stay_one_entry(mainz: Catalogue) -> None:
    joint = [m.code for m in mainz.measures() for h in m.horizons if len(h.terms) == 2]
    assert joint == ["III.4.1", "IV.1.1", "IV.2.1", "IV.3.1", "IV.3.2", "V.1.2", "V.2.1"]
    assert all(
        h.terms == (Term.MITTEL, Term.LANG) for m in mainz.measures() for h in m.horizons
        if len(h.terms) == 2
    )  # fmt: skip
    # "Mittelfristig und langfristig" in V.1.2
    assert _measure(mainz, "V.1.2").horizons[1].target.startswith("Die Evaluierung")


def test_horizons_per_measure(mainz: Catalogue) -> None:
    terms = {m.code: ["+".join(h.terms) for h in m.horizons] for m in mainz.measures()}
    assert terms["I.3.1"] == ["kurz", "mittel", "lang"]
    assert terms["II.1.3"] == ["kurz"]
    assert terms["II.1.4"] == ["lang"]
    assert terms["III.1.1"] == ["kurz", "mittel"]
    assert terms["III.2.1"] == ["mittel"]
    assert terms["V.2.1"] == ["mittel+lang"]


def test_horizon_definitions_from_last_page(mainz: Catalogue) -> None:
    assert mainz.horizons[Term.KURZ].label == "Kurzfristig"
    assert "bis in einem Jahr" in mainz.horizons[Term.KURZ].description
    assert "bis in fünf Jahren" in mainz.horizons[Term.MITTEL].description
    assert "nach fünf Jahren" in mainz.horizons[Term.LANG].description


def test_texts_are_faithful(mainz: Catalogue) -> None:
    measure = _measure(mainz, "I.2.1")
    assert "verständlichen" in measure.title  # typo "fairständlichen" fixed
    assert measure.indicator.startswith(
        "Mehrsprachige Informationsmaterialien stehen zur Verfügung."
    )
    assert mainz.fields[4].summary.startswith("Geflüchteten, die durch Erlebnisse im Heimatland")
    assert mainz.goals()[4].title == (
        "Die Integration zugewanderter Menschen in den Ausbildungs- und Arbeitsmarkt wird gefördert."
    )
    # no PDF line-wrapping artefacts left
    for m in mainz.measures():
        for text in (m.title, m.indicator, *(h.target for h in m.horizons)):
            assert "  " not in text
            assert not text.startswith(" ")


def test_the_city_is_catalogue_data(mainz: Catalogue) -> None:
    assert mainz.city == "Mainz"
