"""Fetching pages safely: public addresses only (checked at connect time), size and time caps,
redirects followed by hand."""

from ._fetcher import FetchedPage, Fetcher, FetchError, HttpFetcher

__all__ = [
    "FetchError",
    "FetchedPage",
    "Fetcher",
    "HttpFetcher",
]
