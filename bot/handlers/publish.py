"""`/settings publish on|off|rotate`: the public progress page's address, as an answer.

Called by the /settings handler (coordinators only, inside its transaction); the slug
itself is storage.public's. Links start with WGBOT_PUBLIC_URL (Deps.public_url).
"""

from __future__ import annotations

from bot.edge import GroupScope
from bot.render import esc
from storage.public import publish


def page_links(public_url: str, slug: str) -> dict[str, str]:
    """The page's address and its twins', as the catalog's placeholders."""
    page = f"{public_url}/p/{slug}"
    return {
        "page": esc(page),
        "ics": esc(f"{page}.ics"),
        "csv": esc(f"{page}.csv"),
        "json": esc(f"{page}.json"),
    }


def publish_answer(scope: GroupScope, action: str, public_url: str | None) -> str:
    """Do what `action` asks and say so. Without WGBOT_PUBLIC_URL nothing is published
    (there would be no link to give); taking a page down needs no link, so `off` works."""
    t, name = scope.t, esc(scope.group.name)
    if public_url is None and action != "off":
        return t("public.publish.needs_url")
    result = publish(group=scope.group, action=action)
    if result.slug is None:
        if action == "rotate":
            return t("public.publish.rotate_unpublished")
        key = "public.publish.off" if result.changed else "public.publish.already_off"
        return t(key, name=name)
    assert public_url is not None
    if action == "rotate":
        header = t("public.publish.rotated", name=name)
    elif result.changed:
        header = t("public.publish.on", name=name)
    else:
        header = t("public.publish.already_on", name=name)
    links = t("public.publish.links", **page_links(public_url, result.slug))
    return f"{header}\n{links}\n\n{t('public.publish.hint')}"
