"""Local stand-ins for the network services briefbot talks to (Telegram Bot API, OpenAI-style LLM API).

They run a real HTTP server on 127.0.0.1 inside the test's event loop, so the real client libraries
(python-telegram-bot, openai) are exercised end to end; only the remote service is replaced.
"""
