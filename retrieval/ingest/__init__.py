"""The ingest pipeline: fetch, extract, dedupe within the adder's scope, chunk, embed, index, and
extract statements."""

from ._ingestor import Ingestor
from ._prepared import IngestResult, read_with_url, readable_text

__all__ = [
    "IngestResult",
    "Ingestor",
    "read_with_url",
    "readable_text",
]
