"""/watch ACTOR [TOPIC], /unwatch and /watches: alerts when a watched actor's new statements come in."""

from __future__ import annotations

from telegram import Update

from bot import render
from bot.context import BriefbotContext
from bot.delivery import send_html
from bot.handlers._common import scope_of
from bot.state import Watch
from bot.watching import MAX_WATCHES, watch_key
from briefing.watch import watch_label

USAGE = (
    "Usage: /watch ACTOR [TOPIC], e.g. /watch Kremlin annexed regions, /watch Dmitry Peskov on the new "
    "regions, /watch \"White House\" tariffs"
)
UNWATCH_USAGE = "Usage: /unwatch N (the number in /watches), /unwatch ACTOR [TOPIC], or /unwatch all"
WATCHES_USAGE = "Usage: /watches, or /watches quiet on|off"
# An actor and topic are a few words; a longer argument is not one.
MAX_SUBJECT_CHARS = 200


def _argument(update: Update) -> str:
    message = update.effective_message
    assert message is not None
    parts = (message.text or "").split(maxsplit=1)
    return " ".join(parts[1].split()) if len(parts) > 1 else ""


async def watch(update: Update, context: BriefbotContext) -> None:
    assert update.effective_chat is not None
    rt, chat_id = context.runtime, update.effective_chat.id
    text = _argument(update)
    if not text or len(text) > MAX_SUBJECT_CHARS:
        await send_html(context.bot, chat_id, [render.plain(USAGE)])
        return
    actor, topic = await rt.stance_subject(text, scope_of(chat_id), unknown_names=True)
    started = await rt.watch(chat_id, actor, topic)
    if started is None:
        reply = f"This chat watches {MAX_WATCHES} actors already, the most it may; /unwatch one first."
        await send_html(context.bot, chat_id, [reply])
        return
    found, added = started
    label = watch_label(found.actor, found.topic)
    await send_html(context.bot, chat_id, [render.watching(label, added, await rt.quiet(chat_id))])


async def unwatch(update: Update, context: BriefbotContext) -> None:
    assert update.effective_chat is not None
    rt, chat_id = context.runtime, update.effective_chat.id
    text = _argument(update)
    mine = await rt.watches(chat_id)
    if not text or len(text) > MAX_SUBJECT_CHARS:
        await send_html(context.bot, chat_id, [UNWATCH_USAGE])
        return
    if text.lower() == "all":
        stopped = await rt.unwatch(chat_id, None)
        await send_html(context.bot, chat_id, [f"Stopped {stopped} watch{'es' if stopped != 1 else ''}."])
        return
    chosen: Watch | None = None
    if text.isdigit():
        chosen = mine[int(text) - 1] if 1 <= int(text) <= len(mine) else None
    else:
        actor, topic = await rt.stance_subject(text, scope_of(chat_id), unknown_names=True)
        wanted = {watch_key(actor, topic), watch_key(text, None)}
        chosen = next((w for w in mine if watch_key(w.actor, w.topic) in wanted), None)
    if chosen is None or not await rt.unwatch(chat_id, chosen):
        await send_html(context.bot, chat_id, [f"No such watch. {render.plain('/watches')} lists them."])
        return
    label = render.plain(watch_label(chosen.actor, chosen.topic))
    await send_html(context.bot, chat_id, [f"Stopped watching {label}."])


async def watches(update: Update, context: BriefbotContext) -> None:
    assert update.effective_chat is not None
    rt, chat_id = context.runtime, update.effective_chat.id
    args = [a.lower() for a in (context.args or [])]
    if args[:1] == ["quiet"] and args[1:] in (["on"], ["off"]):
        await rt.set_quiet(chat_id, args[1] == "on")
    elif args:
        await send_html(context.bot, chat_id, [WATCHES_USAGE])
        return
    mine = await rt.watches(chat_id)
    labels = [(n, watch_label(w.actor, w.topic), w.created_at) for n, w in enumerate(mine, 1)]
    await send_html(context.bot, chat_id, [render.watch_list(labels, await rt.quiet(chat_id))])
