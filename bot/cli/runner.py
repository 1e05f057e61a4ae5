"""`briefbot run`: the Telegram bot, in the foreground (long polling, or a webhook if configured)."""

from __future__ import annotations

import argparse
import logging

from bot.cli.common import UsageError, quiet_http_logs
from bot.settings import Settings


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import run

    logging.getLogger().setLevel(settings.log_level.upper())
    quiet_http_logs()
    if not settings.telegram_bot_token:
        raise UsageError("TELEGRAM_BOT_TOKEN is not set (see .env.example and the README's BotFather steps)")
    run(settings)
    return 0
