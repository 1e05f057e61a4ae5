"""The Telegram handlers, by concern: `questions` (ask, stance, plain-text questions), `library` (links,
forwards, /sources, /forget, /status), `feeds` (/follow, /unfollow, /following, channel posts), `digests`
(/digest and its schedule) and `housekeeping` (the access gate, /start and /help, group migrations, the
error handler).

Handlers are thin: they parse the update, call one `Runtime` method (`context.runtime`) and send what
`bot.render` builds.
"""
