"""/digest: one now, or a daily one at a chosen time (the runtime keeps the schedule)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import Update

from bot import render
from bot.context import BriefbotContext
from bot.delivery import send_html

USAGE = "Usage: /digest, /digest on HH:MM [IANA time zone], /digest off"
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
# IANA names: "UTC", "Europe/Kyiv", "America/Argentina/Buenos_Aires", "Etc/GMT+3".
_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,30}(?:/[A-Za-z0-9_+-]{1,30}){0,2}")


def valid_time_zone(name: str) -> bool:
    """Whether `name` is a time zone this machine knows; judged by its spelling first, since ZoneInfo reads
    the name as a file path (a 3,000-letter name fails with an OS error, not a lookup miss)."""
    if not _ZONE.fullmatch(name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


async def digest(update: Update, context: BriefbotContext) -> None:
    assert update.effective_chat is not None
    rt = context.runtime
    chat_id = update.effective_chat.id
    args = context.args or []
    if not args:
        await rt.send_digest(chat_id)
        return
    if args[0].lower() == "off":
        removed = await rt.unsubscribe(chat_id)
        await send_html(
            context.bot, chat_id, ["Daily digest turned off." if removed else "No daily digest was on."]
        )
        return
    if args[0].lower() == "on" and len(args) >= 2 and (m := _TIME.match(args[1])):
        tz_name = args[2] if len(args) >= 3 else "UTC"
        if not valid_time_zone(tz_name):
            await send_html(context.bot, chat_id, [render.unknown_time_zone(tz_name)])
            return
        sub = await rt.subscribe(chat_id, int(m.group(1)), int(m.group(2)), tz_name)
        await send_html(context.bot, chat_id, [render.digest_on(sub)])
        return
    await send_html(context.bot, chat_id, [USAGE])
