import pytest

from retrieval.urls import canonical_url, host_of


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
