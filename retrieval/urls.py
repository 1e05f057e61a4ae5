"""Canonical article URLs, so one article read through different links is stored once."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from tld import get_tld

from retrieval.text import split_sentences

_TRACKING_EXACT = frozenset(
    """fbclid gclid dclid gbraid wbraid msclkid yclid igshid mc_cid mc_eid _ga _gl ref ref_src ref_url cmpid
    ocid smid sr_share spm share via __twitter_impression at_medium at_campaign ito soc_src soc_trk
    guccounter guce_referrer guce_referrer_sig mkt_tok oly_enc_id oly_anon_id rss taid""".split()
)
_TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "mtm_", "itm_", "__")
_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cms|amp|txt|md)$", re.IGNORECASE)
# Fewer words than this in a path segment is a section name ("world-news") or an id, not a headline.
_MIN_SLUG_WORDS = 3
# Titles are put in front of every chunk for embedding: a sentence-long slug is cut to a headline's length.
_MAX_SLUG_WORDS = 14
_ACCOUNT_HOSTS = frozenset(
    """t.me telegram.me x.com twitter.com facebook.com m.facebook.com instagram.com threads.net tiktok.com
    youtube.com m.youtube.com youtu.be bsky.app linkedin.com reddit.com old.reddit.com""".split()
)
# Words, numbers and short alphanumerics ("g7", "covid19", "what's", "u.s."); ids hold three or more digits.
_SLUG_WORD = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*\.?")
_ID_LIKE = re.compile(r"\d\D*\d\D*\d|\d[^\W\d_]+\d|[^\W\d_]\d+[^\W\d_]|^(?=.*\d)(?=.*[^\W\d_]).{9,}$")


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


def registrable_domain(url: str) -> str:
    """The part of a URL's host that one owner registers: `www.bbc.co.uk` gives `bbc.co.uk`.

    Read from the public suffix list that the `tld` package ships (its private section included, so two
    blogs on one hosting domain are two sites); never downloaded at run time. A host the list does not
    know (a reserved name such as `news.valley.test`) counts as its last two labels; an IP address is
    its own.
    """
    host = (urlsplit(url if _URL_RE.match(url) else f"//{url}").hostname or "").lower().rstrip(".")
    if not host:
        return ""
    found = get_tld(f"http://{host}", as_object=True, fail_silently=True, fix_protocol=False)
    fld = getattr(found, "fld", None)
    if fld:
        return str(fld)
    if ":" in host or re.fullmatch(r"[\d.]+", host):
        return host
    return ".".join(host.split(".")[-2:])


def same_site(url: str, other: str) -> bool:
    """Whether two web addresses belong to one registrable domain (and both to the web at all)."""
    schemes = {urlsplit(u).scheme.lower() for u in (url, other)}
    if not schemes <= {"http", "https"}:
        return False
    mine = registrable_domain(url)
    return bool(mine) and mine == registrable_domain(other)


# Words an outlet's name may carry after the part its domain spells: "BBC News" on bbc.co.uk.
_GENERIC_NAME_TAIL = frozenset(
    """news online media network group daily weekly international english world digital magazine tv radio
    newspaper journal live com net org""".split()
)


def site_name_fits(name: str, url: str) -> bool:
    """Whether a page's self-declared site name is spelled by its own domain.

    A page can name itself anything (`og:site_name` "Reuters" on any host): the name is believed only when
    the domain's own label reads as the name's words or their initials, in order, from the first word
    ("Kyiv Post" on kyivpost.com, "The New York Times" on nytimes.com, "BBC News" on bbc.co.uk, "Deutsche
    Welle" on dw.com). Whatever the label leaves over may only be generic ("News", "Online").
    """
    domain = registrable_domain(url)
    found = get_tld(f"http://{domain}", as_object=True, fail_silently=True, fix_protocol=False)
    label = str(getattr(found, "domain", "") or domain.split(".")[0])
    label = re.sub(r"[^a-z0-9]", "", label.lower())
    words = [w for w in re.findall(r"[a-z0-9]+", name.lower().replace("&", "and"))]
    if words[:1] == ["the"] and len(words) > 1 and not label.startswith("the"):
        words = words[1:]
    return bool(label) and bool(words) and _spells(label, words)


def _spells(label: str, words: list[str]) -> bool:
    """`label` as non-empty prefixes of words[0], words[1]…, in order, with only generic words left over."""
    if not label:
        return all(w in _GENERIC_NAME_TAIL for w in words)
    if not words:
        return False
    word = words[0]
    return any(
        label.startswith(word[:n]) and _spells(label[n:], words[1:])
        for n in range(min(len(word), len(label)), 0, -1)
    )


def looks_like_url(text: str) -> bool:
    return bool(re.match(r"^(https?://|www\.)\S+$", text.strip(), re.IGNORECASE))


# Ids are SQLite rowids: 18 digits always fit, and a longer "id" is a typo, not an article.
_ARTICLE_ID = re.compile(r"#?[0-9]{1,18}")


def article_ref(ref: str) -> int | str | None:
    """What a user's reference to a stored article names: an id (`12`, `#12`), a canonical web address,
    or None when it is neither."""
    ref = ref.strip()
    if _ARTICLE_ID.fullmatch(ref):
        return int(ref.lstrip("#"))
    if looks_like_url(ref) or ref.lower().startswith("file:///"):
        try:
            return canonical_url(ref)
        except ValueError:
            return None
    return None


def title_from_url(url: str | None, text: str = "") -> str | None:
    """The headline many news sites spell out in an article's path, or None when the path holds none.

    `https://example.com/2025/05/20/entertainment/george-wendt-death/index.html` gives "George wendt death":
    the path segment with the most words (the later one on a tie: sections come before the slug), without
    numbers and ids. It stands in for a missing title: without it an untitled passage is searched by its
    opening words twice and by nothing that says what it is about, where a titled one is also matched
    through its headline.

    Slugs are lower case: a word that `text` (the article) always capitalises, and not only at the start of
    a sentence, gets its capitals back ("Gaza ceasefire deal signed").
    """
    if not url:
        return None
    parts = urlsplit(url)
    # Paths there name accounts and folders, not stories: all posts of "war_monitor_live" would share a title.
    if parts.scheme.lower() == "file" or host_of(url) in _ACCOUNT_HOSTS:
        return None
    best: list[str] = []
    for segment in unquote(parts.path).split("/"):
        segment = _PAGE_SUFFIX.sub("", segment.split(";", 1)[0])
        tokens = [t for t in re.split(r"[-_+\s]+", segment) if t]
        words = [t for t in tokens if _SLUG_WORD.fullmatch(t) and not _ID_LIKE.search(t)]
        kept = [t for t in words if not t.isdigit()]
        # A slug is mostly words: "story-4258265001" or "a1b2-c3d4-e5f6" are ids.
        if len(kept) >= _MIN_SLUG_WORDS and len(words) * 2 > len(tokens) and len(kept) >= len(best):
            best = kept
    if not best:
        return None
    cased = _proper_forms(text) if text else {}
    words = [cased.get(w.lower(), w) for w in best[:_MAX_SLUG_WORDS]]
    first = words[0][0].upper()
    words[0] = (first if len(first) == 1 else words[0][0]) + words[0][1:]
    return " ".join(words)


def _proper_forms(text: str) -> dict[str, str]:
    """Words the text always writes capitalised, at least once inside a sentence: lower case → that form."""
    forms: dict[str, str] = {}
    lowered: set[str] = set()
    mid_sentence: set[str] = set()
    # Each line is cut on its own: a byline or heading without a full stop still ends where its line does.
    for line in text.splitlines():
        for sentence in split_sentences(line):
            for position, word in enumerate(re.findall(r"\w+", sentence)):
                key = word.lower()
                if word[0].islower():
                    lowered.add(key)
                    continue
                forms.setdefault(key, word)
                if position:
                    mid_sentence.add(key)
    return {k: v for k, v in forms.items() if k not in lowered and k in mid_sentence}
