"""RetryingRequest against a tiny HTTP server that drops the connection or errs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web
from telegram.error import NetworkError

from bot import telegram_request
from bot.telegram_request import RetryingRequest

Behaviour = Callable[[int], str]  # call number → "drop", "500" or "ok"


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telegram_request, "FIRST_PAUSE", 0.01)


class Server:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.behaviour: Behaviour = lambda _n: "ok"
        self.url = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.calls.append(request.path.rsplit("/", 1)[-1])
        what = self.behaviour(len(self.calls))
        if what == "drop":
            assert request.transport is not None
            request.transport.close()  # no answer at all
            return web.Response()
        if what == "500":
            return web.json_response({"ok": False, "error_code": 500}, status=500)
        return web.json_response({"ok": True, "result": True})


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    found = Server()
    app = web.Application()
    app.router.add_post("/{path:.*}", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    found.url = f"http://127.0.0.1:{port}/botTOKEN"
    yield found
    await runner.cleanup()


async def call(server: Server, method: str) -> object:
    request = RetryingRequest()
    await request.initialize()
    try:
        return await request.post(f"{server.url}/{method}")
    finally:
        await request.shutdown()


async def test_a_dropped_connection_is_tried_again(server: Server) -> None:
    server.behaviour = lambda n: "drop" if n == 1 else "ok"
    assert await call(server, "answerCallbackQuery") is True
    assert server.calls == ["answerCallbackQuery"] * 2


async def test_server_errors_are_tried_again_up_to_the_bound(server: Server) -> None:
    server.behaviour = lambda n: "500" if n < 3 else "ok"
    assert await call(server, "sendMessage") is True
    assert len(server.calls) == 3
    server.calls.clear()
    server.behaviour = lambda _n: "drop"
    with pytest.raises(NetworkError):
        await call(server, "editMessageText")
    assert len(server.calls) == telegram_request.ATTEMPTS


async def test_get_updates_is_left_to_the_polling_loop(server: Server) -> None:
    server.behaviour = lambda _n: "drop"
    with pytest.raises(NetworkError):
        await call(server, "getUpdates")
    assert server.calls == ["getUpdates"]
