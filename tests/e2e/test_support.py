"""Support requests end to end: from the submission to the resolution, across rounds."""

from __future__ import annotations

import csv
import io

import pytest

from tests.e2e.conftest import World
from tests.e2e.test_reporting import answer_iii_2_1, tap
from tests.e2e.test_scheduling import KARL, texts_to, utc


async def support_in_export(world: World) -> str:
    """The "Unterstützung erbeten" cell of III.2.1 for Karl's office in /export csv."""
    await world.say(world.coordinator, "/export csv")
    current = world.standin.sent_messages(world.coordinator.id)[-2].file
    assert current is not None
    rows = list(csv.reader(io.StringIO(current.content.decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index("Unterstützung erbeten")
    code = rows[0].index("Code")
    [row] = [r for r in rows if r[code] == "III.2.1" and "Flüchtlingskoordination" in r]
    return row[column]


NOTICE = (
    "🆘 Bitte um Unterstützung · III.2.1 · Mittelfristig\n"
    "Flüchtlingskoordination · Karl Kontakt · 01.12.2026\n"
    "„Bitte Termin mit dem Dezernat.“"
)


async def test_a_support_request_from_submission_to_resolution(world: World) -> None:
    group, clara, karl = world.group, world.coordinator, world.contact
    world.clock.now = utc(2026, 12, 1, 9, 0)
    await world.open_round()
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    await answer_iii_2_1(world, karl)  # 🟡, Personal, support: "Bitte Termin mit dem Dezernat."
    group_before = len(world.standin.sent_messages(group.id))
    await tap(world, karl, "Absenden")
    done = world.standin.sent_messages(KARL)[-2].plain_text or ""
    assert done.startswith("✅ III.2.1 abgesendet (Version 1). Ihre Bitte um Unterstützung ist")
    [notice] = world.standin.sent_messages(group.id)[group_before:]
    assert notice.plain_text == NOTICE  # at once, in the group
    assert notice.buttons == [["🙋 Ich kümmere mich"], ["✅ Erledigt", "✅ Erledigt mit Notiz …"]]

    # Clara takes it over in the group; the notice says so, Karl is told
    karl_before = len(world.standin.sent_messages(KARL))
    await world.settle(await world.standin.press_button(clara, "🙋 Ich kümmere mich", chat=group))
    assert notice.plain_text == NOTICE + "\n🙋 Clara Koordina kümmert sich (seit 01.12.2026)."
    assert notice.buttons == [["✅ Erledigt", "✅ Erledigt mit Notiz …"]]
    [told] = world.standin.sent_messages(KARL)[karl_before:]
    assert told.plain_text == (
        "🙋 Clara Koordina (Koordinierungsstelle) kümmert sich um Ihre Bitte zu III.2.1 · "
        "Mittelfristig."
    )

    # the next round opens: the request stays open
    world.clock.now = utc(2027, 1, 4, 9, 0)
    await world.open_round()
    listed = await world.say(clara, "/bitten", group)
    assert listed.text.startswith("Offene Bitten um Unterstützung (1)\n1. III.2.1 · Mittelfristig")
    assert "🙋 Clara Koordina" in listed.text
    assert listed.buttons == [["1. III.2.1 · Mittelfristig"]]
    # /status agrees: 🆘 while the request is open, also after the round changed
    field = await world.say(clara, "/status Wohnen", group)
    [line] = [
        row for row in field.text.splitlines() if "Flüchtlingskoordination, 01.12.2026" in row
    ]
    assert "🆘" in line
    assert await support_in_export(world) == "ja"  # the export agrees
    # the weekly summary agrees, in the new round
    await world.say(clara, "/zusammenfassung", group)
    summary = "\n".join(texts_to(world, group.id)[-4:])
    assert (
        "• III.2.1 (Flüchtlingskoordination, Personal): Bitte Termin mit dem Dezernat. "
        "· 🙋 Clara Koordina"
    ) in summary

    # resolved with a note, given as a reply to the bot's prompt
    await world.settle(
        await world.standin.press_button(clara, "✅ Erledigt mit Notiz …", chat=group)
    )
    prompt = world.last(group)
    assert prompt.text.startswith("📝 Notiz zur Bitte III.2.1 · Mittelfristig")
    assert (prompt.message.reply_markup or {}).get("force_reply") is True
    karl_before = len(world.standin.sent_messages(KARL))
    await world.settle(
        await world.standin.send_text(
            clara, "Termin am 12.01. vereinbart", group, reply_to=prompt.message_id
        )
    )
    assert notice.plain_text == (
        NOTICE + "\n✅ Erledigt von Clara Koordina am 04.01.2027: Termin am 12.01. vereinbart"
    )
    assert notice.buttons == []
    [told] = world.standin.sent_messages(KARL)[karl_before:]
    assert told.plain_text == (
        "✅ Ihre Bitte zu III.2.1 · Mittelfristig ist erledigt (Clara Koordina): "
        "Termin am 12.01. vereinbart"
    )
    assert (await world.say(clara, "/bitten")).text == "Keine offenen Bitten um Unterstützung."
    assert await support_in_export(world) == "nein"
    field = await world.say(clara, "/status Wohnen", group)
    [line] = [
        row for row in field.text.splitlines() if "Flüchtlingskoordination, 01.12.2026" in row
    ]
    assert "🆘" not in line
    await world.say(clara, "/zusammenfassung", group)
    assert "Keine offenen Bitten um Unterstützung." in "\n".join(texts_to(world, group.id)[-4:])
    # a second "Erledigt" on an old copy changes nothing
    await world.settle(
        await world.standin.press_callback_data(clara, "v1:sup:done:1:0", chat=group)
    )
    assert world.last(group).text == "Diese Bitte ist bereits erledigt."
    assert texts_to(world, group.id).count(notice.plain_text or "") == 1


async def test_asking_again_opens_no_second_request(world: World) -> None:
    """A correction that still asks for support, and a carried-over answer, add nothing."""
    group, karl = world.group, world.contact
    world.clock.now = utc(2026, 12, 1, 9, 0)
    await world.open_round()
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    await answer_iii_2_1(world, karl)
    await tap(world, karl, "Absenden")
    notices = [t for t in texts_to(world, group.id) if t.startswith("🆘")]
    await world.say(karl, "/bericht")
    await tap(world, karl, "✅ III.2.1")
    await tap(world, karl, "Absenden")  # version 2, still asking
    assert [t for t in texts_to(world, group.id) if t.startswith("🆘")] == notices
    listed = await world.say(world.coordinator, "/bitten")
    assert listed.text.startswith("Offene Bitten um Unterstützung (1)")


@pytest.mark.no_group
async def test_without_a_group_each_coordinator_is_told_privately(world: World) -> None:
    clara, karl = world.coordinator, world.contact
    world.clock.now = utc(2026, 12, 1, 9, 0)
    await world.open_round()
    await world.say(karl, "/bericht")
    await tap(world, karl, "III.2.1")
    await answer_iii_2_1(world, karl)
    clara_before = len(world.standin.sent_messages(clara.id))
    await tap(world, karl, "Absenden")
    [notice] = world.standin.sent_messages(clara.id)[clara_before:]
    assert notice.plain_text == NOTICE
    await world.settle(await world.standin.press_button(clara, "✅ Erledigt"))
    assert notice.plain_text == NOTICE + "\n✅ Erledigt von Clara Koordina am 01.12.2026"
    assert world.standin.sent_messages(KARL)[-1].plain_text == (
        "✅ Ihre Bitte zu III.2.1 · Mittelfristig ist erledigt (Clara Koordina)"
    )
