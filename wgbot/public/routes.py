"""`/p/<slug>` and its twins `.ics`, `.csv`, `.json`: the public progress page's routes.

Every request looks the slug up in the database, so `/settings publish off` or `rotate`
makes the old address answer 404 from the next request on: nothing caches a page. A
refresh is cheap all the same: the ETag is the hash of what would be sent (which
derives from the data only), and a matching If-None-Match gets 304 without a body.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import email.utils
import hashlib
import re
from collections.abc import Callable
from importlib import resources

import jinja2
from aiohttp import web
from markupsafe import Markup

from bot.context import Deps
from bot.i18n import Translator
from domain.enums import Language
from storage.db import transaction
from storage.public import PublicPlan, group_by_slug, public_plan
from storage.public_data import render_csv, render_json, render_public_ics
from wgbot.public.page import build_page

ROUTE = "/p/{name}"
_NAME = re.compile(r"(?P<slug>[A-Za-z0-9_-]+)(?:\.(?P<ext>ics|csv|json))?")
_LANGUAGES = frozenset(lang.value for lang in Language)
# Nothing is loaded from anywhere: the style is inline, allowed by its hash alone.
_DATA_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"
_ETAG_LIST = re.compile(r'(?:W/)?"([^"]*)"|\*')


@dataclasses.dataclass(frozen=True)
class Sent:
    body: bytes
    content_type: str
    csp: str
    disposition: str | None = None


class PublicSite:
    """The templates and the style, read once per web server (not at import time)."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("wgbot.public", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.template = self.env.get_template("page.html")
        self.css = (resources.files("wgbot.public") / "templates" / "page.css").read_text("utf-8")
        digest = base64.b64encode(hashlib.sha256(self.css.encode()).digest()).decode()
        self.page_csp = (
            f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'"
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        match = _NAME.fullmatch(request.match_info["name"])
        if match is None:
            return not_found()
        slug, ext = match["slug"], match["ext"]
        async with transaction(self.deps.sessionmaker) as session:
            group = await group_by_slug(session=session, slug=slug)
            if group is None:
                return not_found()
            plan = await public_plan(session=session, group=group)
        asked = request.query.get("lang", "").strip().lower()
        t = Translator(asked if asked in _LANGUAGES else plan.language)
        render = self._renderers()[ext or "html"]
        return respond(request, render(plan, t, slug), plan)

    def _renderers(self) -> dict[str, Callable[[PublicPlan, Translator, str], Sent]]:
        return {
            "html": self._html,
            "ics": self._ics,
            "csv": self._csv,
            "json": self._json,
        }

    def _html(self, plan: PublicPlan, t: Translator, slug: str) -> Sent:
        page = build_page(plan, t, slug=slug, now=self.deps.clock.now())
        text = self.template.render(page=page, css=Markup(self.css))  # our own file
        return Sent(text.encode(), "text/html; charset=utf-8", self.page_csp)

    def _ics(self, plan: PublicPlan, t: Translator, slug: str) -> Sent:
        return Sent(
            render_public_ics(plan, t),
            "text/calendar; charset=utf-8",
            _DATA_CSP,
            f'inline; filename="{file_stem(plan.name)}.ics"',
        )

    def _csv(self, plan: PublicPlan, t: Translator, slug: str) -> Sent:
        return Sent(
            render_csv(plan),
            "text/csv; charset=utf-8; header=present",
            _DATA_CSP,
            f'attachment; filename="{file_stem(plan.name)}.csv"',
        )

    def _json(self, plan: PublicPlan, t: Translator, slug: str) -> Sent:
        return Sent(
            render_json(plan, now=self.deps.clock.now()),
            "application/json; charset=utf-8",
            _DATA_CSP,
            f'inline; filename="{file_stem(plan.name)}.json"',
        )


def file_stem(name: str) -> str:
    """An ASCII file name for Content-Disposition (headers are Latin-1)."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:60].strip("-") or "plan"


def _headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        # Revalidate every time: an unpublished page must not live on in a cache.
        "Cache-Control": "no-cache",
    }


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 13.1.2: weak comparison, `*` matches any current representation."""
    wanted = etag.strip('"')
    for found in _ETAG_LIST.finditer(if_none_match):
        if found.group(0) == "*" or found.group(1) == wanted:
            return True
    return False


def respond(request: web.Request, sent: Sent, plan: PublicPlan) -> web.Response:
    """200 with the body, or 304 when the client already has these bytes."""
    etag = '"' + hashlib.sha256(sent.body).hexdigest()[:32] + '"'
    headers = _headers(sent.csp) | {
        "ETag": etag,
        "Last-Modified": email.utils.format_datetime(
            plan.last_updated.astimezone(dt.UTC).replace(microsecond=0), usegmt=True
        ),
    }
    if _matches(request.headers.get("If-None-Match", ""), etag):
        return web.Response(status=304, headers=headers)
    headers["Content-Type"] = sent.content_type
    if sent.disposition is not None:
        headers["Content-Disposition"] = sent.disposition
    return web.Response(body=sent.body, headers=headers)


def not_found() -> web.Response:
    """The same small answer for an unknown, old or unpublished address."""
    headers = _headers("default-src 'none'; frame-ancestors 'none'")
    headers["Content-Type"] = "text/plain; charset=utf-8"
    return web.Response(
        status=404, body=b"404: no published page at this address\n", headers=headers
    )


def add_public_routes(server: web.Application, deps: Deps) -> None:
    """The public page and its twins on the built-in web server (GET and HEAD)."""
    site = PublicSite(deps)
    server.router.add_get(ROUTE, site.handle)
