"""The HTTP surface of the stand-in: envelope, encodings, update queue semantics."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.standin import BotApiStandIn

from .conftest import TOKEN


@pytest.fixture
async def client(standin: BotApiStandIn) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{standin.base_url}{TOKEN}/") as http:
        yield http


async def call(client: httpx.AsyncClient, method: str, **params: Any) -> tuple[int, Any]:
    response = await client.post(method, data=params)
    return response.status_code, response.json()


async def test_unknown_token_and_unknown_method(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{standin.base_url}123:nope/getMe")
        assert response.status_code == 401
        assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        file_response = await http.get(f"{standin.base_file_url}123:nope/files/x")
        assert file_response.status_code == 401

    status, body = await call(client, "doSomethingOdd")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert standin.calls[-1].method == "doSomethingOdd"


async def test_json_body_and_form_body(standin: BotApiStandIn, client: httpx.AsyncClient) -> None:
    user = standin.user(77, "Ben")
    standin.open_chat(user)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}

    response = await client.post(
        "sendMessage", json={"chat_id": 77, "text": "per JSON", "reply_markup": markup}
    )
    body = response.json()
    assert body["ok"] is True
    result = body["result"]
    assert result["message_id"] == 1
    assert result["chat"] == {"id": 77, "type": "private", "first_name": "Ben"}
    assert result["from"]["is_bot"] is True
    assert result["reply_markup"] == markup
    assert isinstance(result["date"], int)

    # like PTB: every value a string, non-strings JSON-encoded; "123" must stay a string
    status, form_body = await call(
        client, "sendmessage", chat_id="77", text="123", reply_markup=json.dumps(markup)
    )
    assert status == 200
    assert form_body["result"]["message_id"] == 2
    assert form_body["result"]["text"] == "123"
    assert standin.calls_to("sendMessage")[1] == {
        "chat_id": 77,
        "text": "123",
        "reply_markup": markup,
    }
    assert [m.buttons for m in standin.sent_messages(77)] == [[["A"]], [["A"]]]


async def test_get_updates_offset_and_limit(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    user = standin.user(5, "Cem")
    ids = [await standin.send_text(user, f"m{i}") for i in range(3)]

    _, first = await call(client, "getUpdates", limit="2")
    assert [u["update_id"] for u in first["result"]] == ids[:2]
    _, again = await call(client, "getUpdates")  # nothing confirmed yet
    assert [u["update_id"] for u in again["result"]] == ids
    _, rest = await call(client, "getUpdates", offset=str(ids[2]))
    assert [u["update_id"] for u in rest["result"]] == ids[2:]
    assert rest["result"][0]["message"]["text"] == "m2"
    _, empty = await call(client, "getUpdates", offset=str(ids[2] + 1))
    assert empty["result"] == []
    assert standin.pending_update_count == 0
    _, info = await call(client, "getWebhookInfo")
    assert info["result"] == {"url": "", "has_custom_certificate": False, "pending_update_count": 0}


async def test_error_envelopes_and_no_side_effects(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    user = standin.user(9, "Dana")
    standin.open_chat(user)
    standin.fail_next("sendMessage", retry_after=3)
    standin.fail_next("sendMessage", error_code=500)

    status, body = await call(client, "sendMessage", chat_id="9", text="a")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    status, body = await call(client, "sendMessage", chat_id="9", text="b")
    assert (status, body) == (
        500,
        {"ok": False, "error_code": 500, "description": "Internal Server Error"},
    )
    status, body = await call(client, "sendMessage", chat_id="9", text="")
    assert body["description"] == "Bad Request: message text is empty"
    assert standin.sent_messages(9) == []

    status, body = await call(client, "sendMessage", chat_id="9", text="c")
    assert status == 200
    assert body["result"]["message_id"] == 1


async def test_new_long_poll_terminates_the_older_one(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    older = asyncio.create_task(call(client, "getUpdates", timeout="5"))
    await asyncio.sleep(0.1)
    status, body = await call(client, "getUpdates", timeout="0")
    assert (status, body["result"]) == (200, [])
    older_status, older_body = await asyncio.wait_for(older, 2)
    assert older_status == 409
    assert older_body["description"].startswith("Conflict: terminated by other getUpdates")


async def test_until_idle_requires_updates_to_be_fetched(standin: BotApiStandIn) -> None:
    user = standin.user(11, "Eva")
    await standin.send_text(user, "niemand holt das ab")
    with pytest.raises(AssertionError, match="1 update"):
        await standin.until_idle(timeout=0.2)
