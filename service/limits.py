"""Limits before work (SPEC §7 "A server, not a process"): a request body is capped before it
is read, and failed sign-ins and failed API keys are rate limited per client.

- :class:`BodyLimit` is a pure ASGI middleware (the body is never buffered): a request whose
  ``Content-Length`` passes the cap is answered 413 without being read; a body without one
  (chunked) is counted as it arrives and answered 413 as soon as it passes the cap. Uploads
  (:data:`UPLOADS`) may carry ``max_upload_mb``, every other route :data:`BODY_LIMIT`.
- :class:`Attempts` counts failed sign-ins (the web form) and failed API keys per client
  address in a moving window of a minute (the ``limits`` library, in memory). The counters
  live in each worker process: with ``tular serve --workers N`` a client may fail up to N
  times the per-worker figure before every worker refuses it.
- :class:`CallerFirst` is the route class of the uploads: the caller is checked before FastAPI
  reads (and spools) the multipart body, so an anonymous or viewer upload is refused unread.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from fastapi import Request, Response
from fastapi.routing import APIRoute
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tular.graph.admin import api_keys as keys
from tular.graph.model.catalogue import N_, Messages
from tular.graph.model.errors import TooManyAttempts, Unauthorized
from tular.graph.model.records import ApiKey
from tular.graph.model.settings import Settings
from tular.graph.store import GraphStore
from tular.service.language import api_language, said
from tular.service.problems import problem

#: The routes that take files: (method, path).
UPLOADS = frozenset({("POST", "/api/v1/imports"), ("POST", "/impor")})
#: The body any other route may carry.
BODY_LIMIT = 1024 * 1024
#: Room in an upload's body for the form's other fields and the multipart framing: the files
#: themselves are held to ``max_upload_mb`` (:func:`tular.service.importing.import_uploads`).
FORM_ROOM = 64 * 1024


class _BodyTooLarge(Exception):
    """Raised to the app from ``receive`` once the 413 has been sent."""


class BodyLimit:
    """Caps request bodies before they are read (see the module's description)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.upload_limit = settings.max_upload_mb * 1024 * 1024

    def limit(self, scope: Scope, lang: str) -> tuple[int, str]:
        """The cap of this request's body, and what to say (in ``lang``) when it is passed."""
        messages = Messages(lang)
        if (scope["method"], scope["path"]) in UPLOADS:
            return self.upload_limit + FORM_ROOM, messages.t("problem.upload_too_large",
                                                              megabytes=self.settings.max_upload_mb)
        return BODY_LIMIT, messages.t("problem.body_too_large")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        lang = api_language(Request(scope), self.settings)
        cap, words = self.limit(scope, lang)

        async def refuse() -> None:
            await problem(413, words, "too-large", scope["path"], lang=lang, limit_bytes=cap)(scope, receive, send)

        if _content_length(scope) > cap:  # refused unread
            return await refuse()
        received, refused, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    if not started:
                        refused = True
                        await refuse()
                    raise _BodyTooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if refused:  # the 413 has gone out: what the app answers after it is dropped
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except Exception:
            if not refused:
                raise


def _content_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0  # the server refuses such a request; if not, the stream is counted
    return 0


# ------------------------------------------------------------------------------ attempts
def client_of(request: Request) -> str:
    """The client's address (the proxy's view of it with ``--proxy-headers``)."""
    return request.client.host if request.client else "unknown"


class Attempts:
    """Failed sign-ins and failed API keys per client, in a moving window of a minute."""

    def __init__(self, settings: Settings) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.signins = RateLimitItemPerMinute(settings.signin_failures_per_minute, namespace="signin")
        self.keys = RateLimitItemPerMinute(settings.key_failures_per_minute, namespace="key")

    def check(self, item: RateLimitItemPerMinute, client: str) -> None:
        """:class:`TooManyAttempts` while ``client`` has used up ``item``'s failures."""
        if not self.limiter.test(item, client):
            reset = self.limiter.get_window_stats(item, client).reset_time
            seconds = max(1, math.ceil(reset - time.time()))
            key = N_("problem.too_many_signins") if item is self.signins else N_("problem.too_many_keys")
            raise said(TooManyAttempts, key, {"client": client, "amount": item.amount, "seconds": seconds},
                       retry_after=seconds)

    def failed(self, item: RateLimitItemPerMinute, client: str) -> None:
        self.limiter.hit(item, client)


def attempts(request: Request) -> Attempts:
    return request.app.state.attempts


def verify_key(request: Request, store: GraphStore, presented: str) -> ApiKey:
    """:func:`tular.graph.admin.api_keys.verify`, limited per client: after ``key_failures_per_minute``
    failed keys, a client gets 429 until the oldest failure is a minute old — but for a key this
    worker has verified (someone else behind the same address)."""
    counted, client = attempts(request), client_of(request)
    if keys.recently_verified(presented) is None:  # a key verified lately is read again, not limited
        counted.check(counted.keys, client)
    try:
        return keys.verify(store, presented)
    except Unauthorized:
        counted.failed(counted.keys, client)
        raise


# ------------------------------------------------------------------------------ callers first
class CallerFirst(APIRoute):
    """A route whose caller is checked before its body is read. FastAPI reads a form (and spools
    its files) before it solves the route's dependencies; this runs ``caller_check(request)``
    first (in the thread pool: it may run scrypt), and the route's dependencies check again,
    from the cache of verified keys. The route and its OpenAPI description stay as declared."""

    caller_check: Callable[[Request], object]

    def get_route_handler(self) -> Callable[[Request], object]:
        handler = super().get_route_handler()
        check = type(self).caller_check

        async def checked(request: Request) -> Response:
            await run_in_threadpool(check, request)
            return await handler(request)

        return checked


def caller_first(check: Callable[[Request], object]) -> type[CallerFirst]:
    """A :class:`CallerFirst` route class running ``check``."""
    return type("CallerFirst", (CallerFirst,), {"caller_check": staticmethod(check)})


def install(app, settings: Settings) -> None:
    app.state.attempts = Attempts(settings)
    app.add_middleware(BodyLimit, settings=settings)
