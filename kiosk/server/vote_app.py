"""The phone vote page: its own small Starlette app, plain HTTP on its own port.

Phones cannot trust the event server's self-signed certificate, so the vote is served over
plain HTTP on the venue network, on a port of its own, and this app reaches nothing but the
vote: the page, the films' thumbnails, a code check, the ballot, and whether the vote is open.
The vote code is the only credential; there is no turnout, no tally, no station API, no
console here. The phone page takes the vote code only, never a ticket code (ticket codes are
what door laptops handle). Ballots and checks must be ``application/json`` from this page itself
(a cross-site form cannot send that; an ``Origin`` that is not this host is refused). Wrong
codes are throttled per phone, then per address at a threshold a NAT'd hall cannot reach by
typos; a valid code is always taken (:class:`~kiosk.core.vote.WrongCodeLimiter`). See
docs/hostile-network.md for what plain HTTP on the venue Wi-Fi means.

`create_vote_app(access, ...)` builds the app. The event server mounts it on its second port
and reaches the vote through its one database thread (:class:`WorkerVote`): phones and voting
stations write their ballots through the same writer and the same `ViewerVote`.
`python main.py vote serve` runs the page alone, on a `ViewerVote` of its own
(:class:`LockedVote`).
"""

from __future__ import annotations

import html
import json
import logging
import re
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from importlib import resources
from typing import Any, Protocol, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from kiosk.core import glossary
from kiosk.core.vote import CODE_MAY_VOTE, BallotVerdict, VotePhase, WrongCodeLimiter
from kiosk.core.wire_schema import Schema, SchemaError, Text, parse_json
from kiosk.media.thumbnails import ThumbnailCache
from kiosk.server.limits import VOTE_PAGE_LIMITS
from kiosk.server.serve import Listener
from kiosk.services.vote import ViewerVote, VoteError
from kiosk.store.errors import StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

DEVICE_COOKIE = "aiff_vote_device"
PHONE_CHANNEL = "phone"
MAX_BODY_BYTES = VOTE_PAGE_LIMITS.max_body_bytes  # the app's own check, as the listener's
CHECK_SCHEMA = Schema({"code": Text(64)})
VOTE_SCHEMA = Schema({"code": Text(64), "film": Text(64)})
STATE_FRESH_S = 1.0  # one database read a second answers every phone's /state
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _page_template() -> str:
    return resources.files("kiosk.server").joinpath("vote_page.html").read_text("utf-8")


def render_page(vote: ViewerVote, thumbnails: ThumbnailCache | None) -> str:
    """The whole page: markup, style and script in one file, the films listed in it."""
    items = []
    for film in vote.films:
        film_id = html.escape(film.id)
        if thumbnails is not None and thumbnails.has(film.id):
            picture = (
                f'<img src="/thumb/{film_id}.jpg" alt="" loading="lazy" decoding="async" '
                f'width="96" height="54">'
            )
        else:
            picture = f'<span class="nothumb" aria-hidden="true">{film.position}</span>'
        items.append(
            f'<li><button type="button" class="film" data-film="{film_id}">{picture}'
            f'<span class="t"><span class="zh" lang="zh-Hant-HK">'
            f"{html.escape(film.title_zh)}</span>"
            f'<span class="en" lang="en">{html.escape(film.title_en)}</span>'
            f'<span class="by">{html.escape(film.director)}</span></span></button></li>'
        )
    config = vote.config
    page = (
        _page_template()
        .replace("{{EVENT_ZH}}", html.escape(config.name_zh))
        .replace("{{EVENT_EN}}", html.escape(config.name_en))
        .replace("{{FILMS}}", "\n".join(items))
        .replace("{{MESSAGES}}", _script_json(_messages()))
    )
    return GLOSSARY_SLOT.sub(_glossary_word, page)


GLOSSARY_SLOT = re.compile(r"\{\{TERM:([A-Z_]+):(en|zh)\}\}")


def _glossary_word(slot: re.Match[str]) -> str:
    """`{{TERM:VOTE_CLOSED:zh}}` in the page: the glossary's word, escaped."""
    term = getattr(glossary, slot[1])
    if not isinstance(term, glossary.Term):
        raise KeyError(f"the vote page names {slot[1]}, which is not a glossary term")
    return html.escape(term.zh if slot[2] == "zh" else term.en)


def _script_json(data: object) -> str:
    """JSON safe inside a <script> element (which HTML entities do not reach)."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _messages() -> dict[str, list[str]]:
    """Every refusal, and the vote's phases ("phase:open"...), in the core's words."""
    messages = {verdict.value: list(verdict.message) for verdict in BallotVerdict}
    messages.update({f"phase:{phase.value}": list(phase.words) for phase in VotePhase})
    return messages


class VoteAccess(Protocol):
    """How the page reaches the vote: one call at a time, never on the event loop."""

    async def run(self, work: Callable[[ViewerVote], T]) -> T:
        """Run ``work`` on the vote and wait for its answer (committed, for a ballot)."""
        ...


class LockedVote:
    """The page alone (`vote serve`): its own `ViewerVote`, one call at a time, in a worker
    thread under a lock (one SQLite connection)."""

    def __init__(self, vote: ViewerVote) -> None:
        self._vote = vote
        self._lock = threading.Lock()

    async def run(self, work: Callable[[ViewerVote], T]) -> T:
        """Run ``work`` in a worker thread, under the lock."""
        return await run_in_threadpool(self._locked, work)

    def _locked(self, work: Callable[[ViewerVote], T]) -> T:
        with self._lock:
            return work(self._vote)


class VoteEndpoints:
    """The app's handlers over one :class:`VoteAccess`."""

    def __init__(
        self,
        access: VoteAccess,
        limiter: WrongCodeLimiter,
        thumbnails: ThumbnailCache | None,
    ) -> None:
        self._access = access
        self._limiter = limiter
        self._thumbnails = thumbnails
        self._lock = threading.Lock()  # the limiter's and the caches' (handlers share them)
        self._pages: dict[tuple[str, ...], bytes] = {}
        self._state: dict[str, Any] | None = None
        self._state_at = 0.0

    async def _page(self) -> bytes:
        """The page for the films on the ballot now (rendered once per list of films)."""
        thumbnails = self._thumbnails

        def films_and_page(vote: ViewerVote) -> tuple[tuple[str, ...], str | None]:
            films = tuple(f.id for f in vote.films)
            with self._lock:
                if films in self._pages:
                    return films, None
            return films, render_page(vote, thumbnails)

        films, page = await self._access.run(films_and_page)
        with self._lock:
            if page is not None:
                self._pages[films] = page.encode("utf-8")
            return self._pages[films]

    async def page(self, request: Request) -> Response:
        """GET /: the page; gives the device its cookie for the wrong-code limit."""
        response = HTMLResponse(await self._page(), headers=_SECURITY_HEADERS)
        if not request.cookies.get(DEVICE_COOKIE):
            response.set_cookie(
                DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=86400, httponly=True,
                samesite="strict",
            )  # fmt: skip
        return response

    async def state(self, request: Request) -> Response:
        """GET /state: not open yet, open or closed, and the seconds left (nothing about
        ballots). Every phone asks every few seconds, so one answer serves them all for
        STATE_FRESH_S."""
        now = time.monotonic()
        with self._lock:
            fresh = self._state is not None and now - self._state_at <= STATE_FRESH_S
        if not fresh:
            status = await self._access.run(lambda vote: vote.status())
            left = None if status.seconds_left is None else round(status.seconds_left)
            with self._lock:
                self._state = {
                    "open": status.open,
                    "phase": status.phase.value,
                    "seconds_left": left,
                }
                self._state_at = now
        with self._lock:
            state = dict(self._state or {})
        return _json(state)

    def thumbnail(self, request: Request) -> Response:
        """GET /thumb/{film}.jpg: a film's still, small."""
        film_id = str(request.path_params["film"])
        data = self._thumbnails.get(film_id) if self._thumbnails else None
        if data is None:
            return Response(status_code=404)
        return Response(
            data, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=3600"}
        )

    async def check(self, request: Request) -> Response:
        """POST /check {"code"}: may this code vote now? (Nothing is recorded.)"""
        try:
            body = await _body(request, CHECK_SCHEMA)
        except _RefusedError as refused:
            return _json({"error": refused.reason}, refused.status)
        return await self._decide(request, body["code"], None)

    async def vote(self, request: Request) -> Response:
        """POST /vote {"code", "film"}: cast the ballot; answered after it is committed."""
        try:
            body = await _body(request, VOTE_SCHEMA)
        except _RefusedError as refused:
            return _json({"error": refused.reason}, refused.status)
        return await self._decide(request, body["code"], body["film"])

    async def _decide(self, request: Request, code: str, film: str | None) -> Response:
        address = request.client.host if request.client else "?"
        device = request.cookies.get(DEVICE_COOKIE, "")
        with self._lock:
            wait = self._limiter.device_wait(address, device)
        if wait > 0:  # this phone's own wrong codes: it waits, its code is not looked at
            return _too_many(wait)
        try:
            outcome = await self._access.run(
                (lambda vote: vote.check(code, ticket_codes=False))
                if film is None
                else (lambda vote: vote.cast(code, film, PHONE_CHANNEL, ticket_codes=False))
            )
        except (StoreError, VoteError) as exc:
            log.error("a ballot could not be stored: %s", exc)
            return _json({"error": "the vote could not be recorded; please try again"}, 503)
        if outcome.verdict is BallotVerdict.INVALID_CODE:
            with self._lock:
                self._limiter.wrong(address, device)
                crowded = self._limiter.address_wait(address)
            if crowded > 0:  # many wrong codes from this address: only valid ones pass
                return _too_many(crowded)
        return _json(_outcome(outcome.verdict, checking=film is None))


def _too_many(wait: float) -> Response:
    return _json(_outcome(BallotVerdict.TOO_MANY_ATTEMPTS) | {"retry_after": round(wait)}, 429)


def _outcome(verdict: BallotVerdict, *, checking: bool = False) -> dict[str, Any]:
    accepted = verdict is BallotVerdict.ACCEPTED
    en, zh = CODE_MAY_VOTE if accepted and checking else verdict.message
    return {
        "accepted": accepted,
        "reason": None if accepted else verdict.value,
        "message_en": en,
        "message_zh": zh,
    }


def _json(data: dict[str, Any], status: int = 200) -> Response:
    return JSONResponse(data, status_code=status, headers=_SECURITY_HEADERS)


class _RefusedError(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def _body(request: Request, schema: Schema) -> dict[str, Any]:
    """The request's JSON object, checked against ``schema``; _RefusedError with the status if it
    is not this page's own ``application/json`` request or does not fit."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise _RefusedError(415, "the body must be application/json")
    if not _same_origin(request):
        raise _RefusedError(403, "requests must come from the vote page itself")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise _RefusedError(413, "request too large")
    try:
        return schema.check(parse_json(raw))
    except SchemaError as exc:
        raise _RefusedError(400, str(exc)) from None


def _same_origin(request: Request) -> bool:
    """False for a request a page on another site made (its Origin names another host)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not sent by a browser's cross-site request (curl, an old phone)
    host = request.headers.get("host", "")
    return bool(host) and urllib.parse.urlsplit(origin).netloc.lower() == host.lower()


def create_vote_app(
    access: VoteAccess,
    *,
    thumbnails: ThumbnailCache | None = None,
    limiter: WrongCodeLimiter | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """The vote page app for one event (nothing else is reachable through it)."""
    endpoints = VoteEndpoints(access, limiter or WrongCodeLimiter(clock), thumbnails)
    routes = [
        Route("/", endpoints.page, methods=["GET"]),
        Route("/state", endpoints.state, methods=["GET"]),
        Route("/thumb/{film}.jpg", endpoints.thumbnail, methods=["GET"]),
        Route("/check", endpoints.check, methods=["POST"]),
        Route("/vote", endpoints.vote, methods=["POST"]),
    ]
    return Starlette(routes=routes)


def vote_listener(
    access: VoteAccess,
    port: int,
    host: str = "0.0.0.0",
    thumbnails: ThumbnailCache | None = None,
) -> Listener:
    """The vote page as one more app of the event server: plain HTTP on its own port.

    OSError at once if the port is taken, so that the server can start without the page
    rather than fail with the doors. ``thumbnails``: the films' stills, shared with the voting
    stations' API.
    """
    if port:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise OSError(f"vote page: port {port} on {host} is not free ({exc})") from exc
    app = create_vote_app(access, thumbnails=thumbnails)
    return Listener("vote page", app, port, tls=None, host=host, limits=VOTE_PAGE_LIMITS)
