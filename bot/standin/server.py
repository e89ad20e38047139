"""The HTTP side: aiohttp routes, request decoding, envelope, faults and delays."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import re
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import web

from .methods import METHODS
from .models import ApiError, Call
from .params import Params, UploadedFile, normalize
from .state import DOWNLOAD_LIMIT, StandInState

__all__ = ["ApiServer", "Fault"]

_LOGGER = logging.getLogger(__name__)
JSONDict = dict[str, Any]
_MAX_BODY = 60 * 1024 * 1024  # Telegram accepts uploads up to 50 MB
_MIME_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+")


@dataclass
class Fault:
    """A fault for the next ``remaining`` calls of one method.

    ``error``: answer with it instead of carrying the call out. Otherwise the answer is
    what goes wrong: it comes ``seconds`` late, or never (``drop``: the connection is cut),
    and ``perform`` says whether the call was carried out all the same, as when Telegram
    delivered a message but the answer got lost on the way back.
    """

    error: ApiError | None
    remaining: int
    drop: bool = False
    perform: bool = True
    seconds: float = 0.0


def default_fault(error_code: int, description: str | None, retry_after: int | None) -> ApiError:
    """Telegram-like error for :meth:`BotApiStandIn.fail_next`."""
    if error_code == 429:
        retry_after = 1 if retry_after is None else retry_after
        description = description or f"Too Many Requests: retry after {retry_after}"
        return ApiError(429, description, retry_after)
    if description is None:
        try:
            description = HTTPStatus(error_code).phrase
        except ValueError:
            description = "Unknown Error"
    return ApiError(error_code, description, retry_after)


def _response(body: JSONDict, status: int = 200) -> web.Response:
    text = json.dumps(body, ensure_ascii=False)
    if _has_lone_surrogate(text):
        # A person's text may hold a lone surrogate (Telegram clients send one in odd
        # cases): UTF-8 cannot carry it, a JSON escape like Telegram's (\ud800) can.
        text = json.dumps(body)
    return web.Response(text=text, status=status, content_type="application/json")


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _error_response(error: ApiError) -> web.Response:
    return _response(error.to_api(), status=error.error_code)


class ApiServer:
    """Serves ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` for one state."""

    def __init__(self, state: StandInState, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state
        self.host = host
        self.requested_port = port
        self.port: int | None = None
        self.faults: dict[str, list[Fault]] = {}
        self.delays: dict[str, float] = {}
        self._runner: web.AppRunner | None = None
        self._closed = asyncio.Event()

    # ------------------------------------------------------------- lifecycle
    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("stand-in server already started")
        self._closed = asyncio.Event()
        self.state.closing = False
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.*}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.requested_port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self.state.closing = True
        self._closed.set()
        self.state.signal.notify()  # releases pending long polls
        await runner.cleanup()

    @property
    def running(self) -> bool:
        return self._runner is not None

    # ------------------------------------------------------------ injection
    def add_fault(self, method: str, error: ApiError, times: int) -> None:
        self.add(method, Fault(error=error, remaining=times))

    def add(self, method: str, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be >= 1")
        self.faults.setdefault(method.lower(), []).append(fault)

    def _take_fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.pop(0)
        return fault

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._closed.wait()

    # --------------------------------------------------------------- routes
    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
        raw: JSONDict = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if not request.body_exists:
            return raw, files
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.text() or "{}")
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON object") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON object expected")
            raw.update(body)
            return raw, files
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = UploadedFile(
                    field_name=name,
                    filename=value.filename or None,
                    content=value.file.read(),
                    content_type=value.content_type,
                )
            elif isinstance(value, bytes):
                raw[name] = value.decode("utf-8", "replace")
            else:
                raw[name] = value
        return raw, files

    async def _handle_method(self, request: web.Request) -> web.Response:
        state = self.state
        if request.match_info["token"] != state.token:
            return _error_response(ApiError(401, "Unauthorized"))
        method_name = request.match_info["method"]
        key = method_name.lower()
        tracked = key != "getupdates"  # a waiting long poll is not "work in flight"
        if tracked:
            state.in_flight += 1
            state.touch()
        try:
            return await self._dispatch(request, method_name, key)
        finally:
            if tracked:
                state.in_flight -= 1
                state.touch()

    async def _dispatch(self, request: web.Request, method_name: str, key: str) -> web.Response:
        state = self.state
        try:
            raw, files = await self._read_params(request)
            values = normalize(raw, files)
        except ApiError as error:
            state.calls.append(Call(method_name, {}))
            return _error_response(error)
        state.calls.append(Call(method_name, values))
        handler = METHODS.get(key)
        if handler is None:
            return _error_response(ApiError(404, "Not Found"))
        delay = self.delays.get(key)
        if delay:
            await self._sleep(delay)
        fault = self._take_fault(key)
        if fault is not None and fault.error is not None:
            return _error_response(fault.error)
        response = None
        if fault is None or fault.perform:
            response = await self._perform(handler, method_name, values)
        if fault is not None:
            await self._sleep(fault.seconds)
            if fault.drop:
                if request.transport is not None:
                    request.transport.abort()  # no answer at all
                return web.Response(status=499)  # never reaches the client
        assert response is not None
        return response

    async def _perform(self, handler: Any, method_name: str, values: JSONDict) -> web.Response:
        try:
            result = handler(self.state, Params(values))
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            return _error_response(error)
        except Exception:
            details = traceback.format_exc()
            self.state.internal_errors.append(f"{method_name}: {details}")
            _LOGGER.exception("stand-in failed to handle %s", method_name)
            return _error_response(ApiError(500, "Internal Server Error"))
        return _response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.state.token:
            return _error_response(ApiError(401, "Unauthorized"))
        stored = self.state.file_by_path(request.match_info["path"])
        if stored is None or stored.size > DOWNLOAD_LIMIT:  # getFile never gave its path
            return _error_response(ApiError(404, "Not Found"))
        mime_type = stored.mime_type or ""
        if not _MIME_TYPE.fullmatch(mime_type):  # what a person's app claimed: "x\x1dy" even
            mime_type = "application/octet-stream"
        return web.Response(body=stored.content, content_type=mime_type)
