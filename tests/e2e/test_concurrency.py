"""Updates side by side: one person's slow command does not hold up another person, and
each chat's updates are handled in the order Telegram sent them (bot.update_order)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.update_order import ChatOrder
from conversations.framework import ORDER_PATIENCE, ORDER_WINDOW
from storage import inbox
from storage.claims import claim_update
from storage.models import TargetAnswer
from tests.e2e.conftest import World
from tests.e2e.test_reporting import add_person
from tests.e2e.test_scheduling import utc

SLOW = 2.0  # seconds the stand-in takes to accept the export's document
IN_PLAN = "🟢 im Plan"


def shown(world: World, chat_id: int) -> list[str]:
    """What the bot showed in a chat, oldest first: a file by its name."""
    return [
        message.file.filename or "" if message.file is not None else message.plain_text or ""
        for message in world.standin.sent_messages(chat_id)
    ]


def workbook_sent(world: World) -> bool:
    return any(name.endswith(".xlsx") for name in shown(world, world.coordinator.id))


async def test_a_slow_export_does_not_hold_up_another_person(world: World) -> None:
    world.standin.delay("sendDocument", SLOW)
    export = await world.standin.send_text(world.coordinator, "/export")
    await world.standin.wait_until(lambda: bool(world.standin.calls_to("sendDocument")))

    # Karl asks for help while the workbook is still on its way
    await world.say(world.contact, "/hilfe")
    assert "/bericht" in world.last(world.contact).text
    assert not workbook_sent(world), "Karl's answer waited for the export"

    await world.settle(export)
    assert workbook_sent(world)


async def test_a_persons_updates_are_handled_in_the_order_sent(world: World) -> None:
    world.standin.delay("sendDocument", SLOW)
    coordinator = world.coordinator
    first = await world.standin.send_text(coordinator, "/export")
    second = await world.standin.send_text(coordinator, "/hilfe")
    third = await world.standin.send_text(coordinator, "/export csv")
    for update_id in (first, second, third):
        await world.settle(update_id)

    chat = shown(world, coordinator.id)
    workbook = next(i for i, text in enumerate(chat) if text.endswith(".xlsx"))
    help_text = next(i for i, text in enumerate(chat) if "/bericht" in text)
    csv_files = [i for i, text in enumerate(chat) if text.endswith(".csv")]
    assert workbook < help_text < min(csv_files), chat
    processor = world.app.update_processor
    assert isinstance(processor, ChatOrder)
    assert processor.chats_in_line == 0  # nothing left waiting


async def test_quick_taps_count_once_while_another_person_exports(world: World) -> None:
    """Karl taps an answer three times in a row, faster than the bot answers, while the
    coordinator's export is on its way: the answer is stored once, the next question
    comes once, and none of it waits for the export."""
    await world.open_round()
    world.standin.delay("sendDocument", SLOW)
    export = await world.standin.send_text(world.coordinator, "/export")
    karl = world.contact
    overview = await world.say(karl, "/bericht")
    question = await world.press(karl, "Der Reihe nach")
    assert IN_PLAN in question.labels, (overview.text, question.text)
    label = IN_PLAN

    def sent_and_edited() -> list[str]:
        """The texts sent to Karl and edited for him, in order."""
        return [
            str(call.params.get("text"))
            for call in world.standin.calls
            if call.method in ("sendMessage", "editMessageText")
            and int(call.params.get("chat_id") or 0) == karl.id
        ]

    before = len(sent_and_edited())
    taps = [await world.standin.press_button(karl, label) for _ in range(3)]
    for update_id in taps:
        await world.settle(update_id)
    assert not workbook_sent(world), "Karl's taps waited for the export"

    new = sent_and_edited()[before:]
    assert len(new) == 1, new  # the question turned into the next one, once
    assert "Ihre Angaben" in new[0]  # the review (III.2.1 has one target)
    async with world.sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(TargetAnswer))
    assert stored == 1
    await world.settle(export)


BROADCAST = 90  # contacts reminded at once (three seconds of Telegram's budget)
# Broadcast messages that may go out between a tap and its answer: while the tap is
# fetched, kept and handled (0.1 to 0.2 s on a busy machine), the broadcast goes on at 30
# messages a second; an answer queued behind the broadcast would see about 90 go first,
# one delayed by the limit of a second 30.
OVERTAKEN = 10


async def test_a_broadcast_lets_the_replies_to_a_reporting_person_go_first(
    world: World,
) -> None:
    """Reminders to 90 contacts go out while Karl taps through his report: each of his
    answers waits for at most a few of the reminders, not for the broadcast."""
    await world.open_round()  # 25.11.2026
    others = {
        (await add_person(world, 8000 + n, f"Person {n}", "Leitstelle Wohnen")).id
        for n in range(BROADCAST)
    }
    karl = world.contact
    await world.say(karl, "/bericht")
    question = await world.press(karl, "Der Reihe nach")
    calls = world.standin.calls

    def reminders_sent(since: int = 0) -> int:
        return sum(
            1
            for call in calls[since:]
            if call.method == "sendMessage" and int(call.params.get("chat_id", 0)) in others
        )

    broadcast = asyncio.create_task(world.tick(utc(2026, 12, 2, 9, 0)))  # day 7's reminder
    await world.standin.wait_until(lambda: reminders_sent() >= 1)
    overtaken = []
    for _ in range(3):
        label = IN_PLAN if IN_PLAN in question.labels else question.labels[0]
        start = len(calls)
        update_id = await world.standin.press_button(karl, label)
        await world.settle(update_id)
        replied = next(
            i
            for i, call in enumerate(calls[start:], start)
            if int(call.params.get("chat_id", 0)) == karl.id
            and call.method != "answerCallbackQuery"
        )
        overtaken.append(reminders_sent(start) - reminders_sent(replied))
        question = world.last(karl)
    still_sending = reminders_sent() < BROADCAST
    await broadcast
    assert still_sending, "the broadcast was over before Karl's taps: nothing was measured"
    assert reminders_sent() == BROADCAST
    assert max(overtaken) <= OVERTAKEN, overtaken


async def test_an_update_waits_for_an_earlier_one_of_its_chat_that_another_process_took(
    world: World,
) -> None:
    """Two processes behind one webhook: Telegram's earlier update of Karl's chat went to
    the other process, which has kept it in the inbox but not handled it yet. Karl's next
    update waits until it is handled, then goes on; another chat does not wait."""
    karl = world.contact
    earlier = world.standin.skip_update_id()
    async with world.sessions() as session, session.begin():
        kept = inbox.Received(earlier, karl.id, "{}")  # its content is the other's business
        await inbox.keep(session, [kept], world.clock())
    later = await world.standin.send_text(karl, "/hilfe")
    await world.say(world.coordinator, "/hilfe")  # another chat: at once
    await asyncio.sleep(0.5)
    assert not any("/bericht" in text for text in shown(world, karl.id)), "did not wait"

    async with world.sessions() as session, session.begin():
        assert await claim_update(session, earlier, world.clock())  # the other process's
    async with asyncio.timeout(ORDER_PATIENCE - 1):
        await world.settle(later)
    assert "/bericht" in world.last(karl).text


async def test_an_update_goes_on_when_the_earlier_one_is_not_handled_in_time(
    world: World,
) -> None:
    """The other process died with the earlier update: the later one waits at most
    ORDER_PATIENCE, and not at all for one received long ago."""
    karl = world.contact
    earlier = world.standin.skip_update_id()
    async with world.sessions() as session, session.begin():
        await inbox.keep(session, [inbox.Received(earlier, karl.id, "{}")], world.clock())
    started = asyncio.get_running_loop().time()
    await world.say(karl, "/hilfe")
    waited = asyncio.get_running_loop().time() - started
    assert ORDER_PATIENCE <= waited < ORDER_PATIENCE + 5
    assert "/bericht" in world.last(karl).text

    world.clock.advance(seconds=ORDER_WINDOW.total_seconds() + 1)  # the stuck one is old
    started = asyncio.get_running_loop().time()
    await world.say(karl, "/hilfe")
    assert asyncio.get_running_loop().time() - started < ORDER_PATIENCE
