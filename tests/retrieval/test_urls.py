import pytest

from retrieval.urls import canonical_url, host_of, title_from_url


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("https://www.Example.com/news/story/", "https://www.example.com/news/story"),
        (
            "http://example.com/news/story?utm_source=tg&utm_medium=x#comments",
            "http://example.com/news/story",
        ),
        ("https://example.com/a?id=7&fbclid=abc&gclid=1&ref=home", "https://example.com/a?id=7"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a/", "https://example.com:8443/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("example.com/story", "https://example.com/story"),
        ("file:///tmp/x/article.txt", "file:///tmp/x/article.txt"),
        ("https://t.me/somechannel/42", "https://t.me/somechannel/42"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


def test_host_of() -> None:
    assert host_of("https://www.kyivpost.com/post/1") == "kyivpost.com"


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("https://www.cnn.com/2025/05/20/entertainment/george-wendt-death/index.html", "George wendt death"),
        ("https://theweek.com/politics/jimmy-carter-lies-in-state?passage=7", "Jimmy carter lies in state"),
        # Dates and ids inside the slug are dropped, the words kept.
        (
            "https://news.example/story/news/2021/02/03/harbour-turbines-start-turning-2021/4258265001/",
            "Harbour turbines start turning",
        ),
        ("https://en.wikipedia.org/wiki/Russo-Ukrainian_War", "Russo Ukrainian War"),
        ("https://example.com/news/g7-leaders-meet-in-rome", "G7 leaders meet in rome"),
        ("https://example.com/n/what's-next-for-the-fed", "What's next for the fed"),
        ("https://example.com/n/u.s.-stocks-fall-again", "U.s. stocks fall again"),
        ("https://example.com/n/port-strike-ends-now.amp", "Port strike ends now"),
        ("https://example.com/n/port-strike-ends-now;jsessionid=X1", "Port strike ends now"),
        # On a tie the later segment wins: sections come before the story's own slug.
        ("https://example.com/us-news-politics/biden-signs-bill", "Biden signs bill"),
        # A sentence-long slug is cut to a headline's length.
        ("https://example.com/n/" + "-".join(["word"] * 40), " ".join(["Word"] + ["word"] * 13)),
        # The segment with the most words wins over a section name.
        ("https://example.com/world-news-today/port-strike-ends-in-bay.html", "Port strike ends in bay"),
        # No headline in the path: section names, ids, message links, query-only pages.
        ("https://example.com/world-news/", None),
        ("https://www.bbc.com/news/articles/c4g0n2x5k3po", None),
        ("https://example.com/a1b2-c3d4-e5f6-a7b8", None),
        ("https://example.com/story-4258265001-98765", None),
        ("https://t.me/kyivpost/1234", None),
        # Account names are not headlines, underscores or not; nor are the folders of local files.
        ("https://t.me/ukraine_now_news/1234", None),
        ("https://x.com/war_monitor_live/status/1", None),
        ("file:///tmp/news-archive-spring-2025/a.html", None),
        ("https://example.com/?p=123", None),
        (None, None),
        ("", None),
    ],
)
def test_title_from_url(url: str | None, title: str | None) -> None:
    assert title_from_url(url) == title


def test_title_from_url_restores_the_capitals_the_article_uses() -> None:
    url = "https://news.example/2025/10/13/world/ceasefire-deal-signed-in-gaza-as-hostages-return"
    text = (
        "Mediators said the ceasefire in Gaza held overnight. Gaza residents returned north. "
        "The deal was signed in Egypt. Hostages were freed; families said the return was overdue."
    )
    # "Gaza" is always capitalised, once inside a sentence; "Hostages" only opens a sentence and
    # "deal" also appears in lower case, so both stay as the slug has them.
    assert title_from_url(url, text) == "Ceasefire deal signed in Gaza as hostages return"
    assert title_from_url(url) == "Ceasefire deal signed in gaza as hostages return"


def test_title_from_url_reads_sentences_as_the_chunker_cuts_them() -> None:
    url = "https://news.example/world/observers-praise-carter-centre"
    # "Mr." does not end a sentence, so "Carter" is capitalised inside one; a byline line ends where it ends.
    assert title_from_url(url, "Mr. Carter arrived on Monday. Observers praised the count.") == (
        "Observers praise Carter centre"
    )
    byline = "By Jane Doe\nMonitors arrived on Monday. Observers said monitors were welcome."
    assert title_from_url("https://news.example/world/monitors-arrive-in-town", byline) == (
        "Monitors arrive in town"
    )
