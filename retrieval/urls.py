"""Canonical article URLs, so one article read through different links is stored once."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_EXACT = frozenset(
    """fbclid gclid dclid gbraid wbraid msclkid yclid igshid mc_cid mc_eid _ga _gl ref ref_src ref_url cmpid
    ocid smid sr_share spm share via __twitter_impression at_medium at_campaign ito soc_src soc_trk
    guccounter guce_referrer guce_referrer_sig mkt_tok oly_enc_id oly_anon_id rss taid""".split()
)
_TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "mtm_", "itm_", "__")
_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Scheme and host lower-cased, default port, fragment, tracking parameters and trailing slash removed.

    The scheme and a `www.` prefix are kept: the canonical URL is also the link shown to users, and it has
    to keep working on sites that serve only one of the variants.

    `file://` and `t.me` URLs go through the same rules; remaining query parameters are kept in a
    stable order.
    """
    url = url.strip()
    if not _URL_RE.match(url):
        url = "https://" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    path = re.sub(r"/{2,}", "/", parts.path) if scheme != "file" else parts.path
    path = path.rstrip("/")
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def host_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def looks_like_url(text: str) -> bool:
    return bool(re.match(r"^(https?://|www\.)\S+$", text.strip(), re.IGNORECASE))
