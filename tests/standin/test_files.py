"""Files in the stand-in: what people send can be downloaded, sizes and Telegram's limits.

Driven by the real python-telegram-bot ``Bot`` (not polling, so the tests read the
updates themselves).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, Message
from telegram.error import BadRequest

from bot.standin import DOWNLOAD_LIMIT, PHOTO_SIZES, BotApiStandIn, FakeUser

from .conftest import TOKEN

BIG = 25_000_000  # over Telegram's 20 MB for getFile


@pytest.fixture
async def bot(standin: BotApiStandIn) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN, base_url=standin.base_url, base_file_url=standin.base_file_url
    ) as running:
        yield running


def karl(standin: BotApiStandIn) -> FakeUser:
    return standin.user(4711, "Karl", "Kontakt")


async def received(bot: Bot, update_id: int) -> Message:
    """The message of ``update_id`` as PTB parses it."""
    updates = await bot.get_updates(offset=update_id, limit=1)
    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message is not None
    return message


async def download(bot: Bot, file_id: str) -> bytes:
    return bytes(await (await bot.get_file(file_id)).download_as_bytearray())


async def test_every_size_of_a_photo_can_be_downloaded(standin: BotApiStandIn, bot: Bot) -> None:
    user = karl(standin)
    content = b"\xff\xd8\xff\xe0 Foto vom Aushang"
    update_id = await standin.send_photo(user, caption="Aushang", content=content)

    message = await received(bot, update_id)
    assert message.caption == "Aushang"
    assert [(p.width, p.height) for p in message.photo] == list(PHOTO_SIZES)
    assert len({p.file_id for p in message.photo}) == len(PHOTO_SIZES)
    assert len({p.file_unique_id for p in message.photo}) == len(PHOTO_SIZES)
    for size in message.photo:
        data = await download(bot, size.file_id)
        assert size.file_size == len(data)
        telegram_file = await bot.get_file(size.file_id)
        assert telegram_file.file_size == len(data)
        assert telegram_file.file_unique_id == size.file_unique_id
    largest = message.photo[-1]
    assert await download(bot, largest.file_id) == content
    stored = standin.file(largest.file_id)
    assert stored is not None
    assert (stored.kind, stored.mime_type, stored.content) == ("photo", "image/jpeg", content)
    raw = standin.update(update_id)["message"]["photo"]
    assert raw[-1]["file_id"] == largest.file_id


async def test_a_photo_without_content_still_has_files(standin: BotApiStandIn, bot: Bot) -> None:
    message = await received(bot, await standin.send_photo(karl(standin)))
    assert message.caption is None
    for size in message.photo:
        assert size.file_size
        assert len(await download(bot, size.file_id)) == size.file_size


async def test_a_voice_note_can_be_downloaded(standin: BotApiStandIn, bot: Bot) -> None:
    content = b"OggS\x00 Sprachnachricht"
    update_id = await standin.send_voice(karl(standin), duration=7, content=content, caption="Hi")

    message = await received(bot, update_id)
    voice = message.voice
    assert voice is not None
    assert standin.update(update_id)["message"]["voice"]["duration"] == 7
    assert (voice.mime_type, voice.file_size) == ("audio/ogg", len(content))
    assert message.caption == "Hi"
    assert await download(bot, voice.file_id) == content


async def test_a_document_without_name_or_type(standin: BotApiStandIn, bot: Bot) -> None:
    update_id = await standin.send_document(
        karl(standin), filename=None, mime_type=None, content=b"x"
    )
    document = (await received(bot, update_id)).document
    assert document is not None
    assert (document.file_name, document.mime_type, document.file_size) == (None, None, 1)
    assert await download(bot, document.file_id) == b"x"


@pytest.mark.parametrize("name", ["../../../etc/passwd.pdf", "a?b#c.pdf", "..", "\ud800.pdf"])
async def test_any_file_name_can_be_downloaded(standin: BotApiStandIn, bot: Bot, name: str) -> None:
    update_id = await standin.send_document(karl(standin), filename=name, content=b"%PDF x")
    document = (await received(bot, update_id)).document
    assert document is not None
    assert await download(bot, document.file_id) == b"%PDF x"


@pytest.mark.parametrize("mime_type", ["x\x1dy", "application/pdf; charset=binary", "ä/ö"])
async def test_any_file_type_can_be_downloaded(
    standin: BotApiStandIn, bot: Bot, mime_type: str
) -> None:
    update_id = await standin.send_document(karl(standin), mime_type=mime_type, content=b"%PDF")
    document = (await received(bot, update_id)).document
    assert document is not None
    assert document.mime_type == mime_type
    assert await download(bot, document.file_id) == b"%PDF"


async def test_files_over_20_mb_are_too_big_for_get_file(standin: BotApiStandIn, bot: Bot) -> None:
    user = karl(standin)
    document = (
        await received(bot, await standin.send_document(user, filename="scan.pdf", file_size=BIG))
    ).document
    assert document is not None
    assert document.file_size == BIG
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(document.file_id)

    voice = (await received(bot, await standin.send_voice(user, file_size=BIG))).voice
    assert voice is not None
    assert voice.file_size == BIG
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(voice.file_id)

    # exactly at the limit is still fine, one byte more is not (20 MiB, as Telegram)
    at_limit = (
        await received(bot, await standin.send_document(user, file_size=DOWNLOAD_LIMIT))
    ).document
    above = (
        await received(bot, await standin.send_document(user, file_size=DOWNLOAD_LIMIT + 1))
    ).document
    assert at_limit is not None
    assert above is not None
    assert (await bot.get_file(at_limit.file_id)).file_size == DOWNLOAD_LIMIT
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(above.file_id)

    # the answer as Telegram gives it, and no way around it through the file URL
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{standin.base_url}{TOKEN}/getFile", data={"file_id": document.file_id}
        )
        assert response.status_code == 400
        assert response.json() == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: file is too big",
        }
        stored = standin.file(document.file_id)
        assert stored is not None
        assert stored.size == BIG
        assert len(stored.content) < 100  # nothing of that size was allocated
        file_response = await http.get(f"{standin.base_file_url}{TOKEN}/{stored.file_path}")
        assert file_response.status_code == 404


async def test_the_bot_sends_voice_notes_and_files_again_by_id(
    standin: BotApiStandIn, bot: Bot
) -> None:
    user = karl(standin)
    photo_update = await standin.send_photo(user, content=b"\xff\xd8 Foto")
    voice_update = await standin.send_voice(user, content=b"OggS Stimme")
    document_update = await standin.send_document(
        user, filename="bericht.pdf", content=b"%PDF bericht"
    )
    big_update = await standin.send_document(user, filename="gross.pdf", file_size=BIG)
    photo = (await received(bot, photo_update)).photo[-1]
    voice = (await received(bot, voice_update)).voice
    document = (await received(bot, document_update)).document
    big = (await received(bot, big_update)).document
    assert voice is not None
    assert document is not None
    assert big is not None

    # an upload
    sent = await bot.send_voice(user.id, voice=b"OggS neu", duration=4, caption="Neu")
    assert sent.voice is not None
    assert (sent.voice.file_size, sent.voice.mime_type) == (8, "audio/ogg")
    assert sent.caption == "Neu"
    recorded = standin.last_message(user)
    assert (recorded.kind, recorded.file_bytes, recorded.plain_text) == (
        "voice",
        b"OggS neu",
        "Neu",
    )
    assert recorded.file is not None
    assert recorded.file.kind == "voice"
    assert await download(bot, sent.voice.file_id) == b"OggS neu"

    # by id: the very file the person sent, even one too big for getFile
    again_voice = await bot.send_voice(user.id, voice=voice.file_id)
    assert again_voice.voice is not None
    assert again_voice.voice.file_id == voice.file_id
    assert standin.last_message(user).file is standin.file(voice.file_id)
    await bot.send_photo(user.id, photo=photo.file_id, caption="Foto")
    assert standin.last_message(user).kind == "photo"
    assert standin.last_message(user).file_bytes == b"\xff\xd8 Foto"
    await bot.send_document(user.id, document=document.file_id)
    assert standin.last_message(user).filename == "bericht.pdf"
    assert standin.last_message(user).file_bytes == b"%PDF bericht"
    again_big = await bot.send_document(user.id, document=big.file_id)
    assert again_big.document is not None
    assert again_big.document.file_size == BIG

    # a file is sent again with the method of its kind, as Telegram wants for photos
    count = len(standin.sent_messages(user))
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type Photo as Document"):
        await bot.send_document(user.id, document=photo.file_id)
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type Document as Photo"):
        await bot.send_photo(user.id, photo=document.file_id)
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type VoiceNote as Photo"):
        await bot.send_photo(user.id, photo=voice.file_id)
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_voice(user.id, voice="AwACunknown")
    assert len(standin.sent_messages(user)) == count  # failed calls change nothing
