"""Documents read for real: generated PDFs and Word files through the sandboxed reader, then stored and
searched through the real ingestor; hostile files get their message and never reach the library."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from retrieval.documents import (
    DocumentCrashed,
    DocumentError,
    DocumentLimits,
    DocumentTimeout,
    DocumentTooLarge,
    EncryptedDocument,
    ScannedDocument,
    TooManyPages,
    UnsafeDocument,
    UnsupportedDocument,
    clean_name,
    read_limited,
)
from retrieval.documents._layout import clean_pages
from retrieval.store import SearchFilters
from tests.support.documents import (
    HARBOUR_PARAGRAPHS,
    Layout,
    docx_bomb,
    docx_bytes,
    encrypted_pdf,
    layout_pdf,
    scanned_pdf,
    simple_pdf,
)

LIMITS = DocumentLimits()
PARAGRAPHS = HARBOUR_PARAGRAPHS


def test_a_laid_out_pdf_reads_as_its_text_without_furniture_or_broken_words() -> None:
    made = layout_pdf("Porthaven harbour to be dredged", PARAGRAPHS * 14, Layout(justify=True))
    assert made.pages >= 2 and made.split_words  # the layout did break words and pages
    got = read_limited(made.data, "harbour.pdf", LIMITS)
    assert got.title == "Porthaven harbour to be dredged"  # set in large type on page one
    assert "The Porthaven Review" not in got.text and "Page 1 of" not in got.text
    words = set(got.text.replace(",", " ").replace(".", " ").split())
    for word in made.split_words:
        assert word in words, word
    assert PARAGRAPHS[1] in got.text  # whole sentences, in order, across line and column breaks


def test_furniture_and_hyphens_are_cleaned_whatever_reader_gave_the_lines() -> None:
    pages = [
        "Quarterly Port Review\nThe council met on Monday and discussed the non-\nnegotiable parts of the "
        "harbour plan and its fi-\nnancing.\n3",
        "Quarterly Port Review\nThe second page goes on with the 30-\nday schedule of works for the "
        "quay, which the union calls non-negotiable.\n4",
    ]
    text = clean_pages(pages)
    assert "Quarterly Port Review" not in text and "\n3" not in text
    # A compound the document writes whole elsewhere keeps its hyphen; a word broken by the layout does not.
    assert "the non-negotiable parts" in text and "its financing." in text and "30-day" in text
    assert "nonnegotiable" in clean_pages([pages[0]])


def test_a_word_file_takes_its_title_then_its_file_name() -> None:
    titled = read_limited(docx_bytes(PARAGRAPHS, heading="Dredging the north channel"), "x.docx", LIMITS)
    assert titled.title == "Dredging the north channel" and PARAGRAPHS[0] in titled.text
    untitled = read_limited(docx_bytes(PARAGRAPHS), "board minutes.docx", LIMITS)
    assert untitled.title == "board minutes.docx"
    assert read_limited(docx_bytes(PARAGRAPHS, title="Minutes, 4 March"), "m.docx", LIMITS).title == (
        "Minutes, 4 March"
    )


def test_type_comes_from_the_bytes_not_the_name() -> None:
    page = (
        "<html><head><title>Channel works approved</title></head><body><article>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</article></body></html>"
    )
    got = read_limited(page.encode(), "report.pdf", LIMITS)  # an HTML page under a PDF's name
    assert got.title == "Channel works approved" and PARAGRAPHS[2] in got.text
    text = read_limited("\n\n".join(PARAGRAPHS).encode("utf-16"), "notes", LIMITS)
    assert text.title == "notes" and PARAGRAPHS[3] in text.text
    with pytest.raises(UnsupportedDocument):
        read_limited(b"\x89PNG\r\n\x1a\n" + bytes(2000), "harbour.pdf", LIMITS)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("notes.txt", "\n".join(PARAGRAPHS))
    with pytest.raises(UnsupportedDocument):
        read_limited(archive.getvalue(), "notes.docx", LIMITS)  # a zip, but not a Word file


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (scanned_pdf(), ScannedDocument, "no text layer"),
        (encrypted_pdf("\n".join(PARAGRAPHS)), EncryptedDocument, "password"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntrailer garbage", DocumentError, "damaged"),
        (docx_bomb(PARAGRAPHS, unpacked_mib=64), UnsafeDocument, "zip bomb"),
    ],
    ids=["scanned", "encrypted", "corrupt", "zip-bomb"],
)
def test_unreadable_documents_say_why(data: bytes, error: type[DocumentError], words: str) -> None:
    with pytest.raises(error, match=words):
        read_limited(data, "file", LIMITS)


def test_caps_on_size_pages_and_unpacked_size() -> None:
    pdf = simple_pdf([f"Page {n}: the harbour board met again and decided nothing new." for n in range(12)])
    with pytest.raises(TooManyPages, match="12 pages; the limit is 10"):
        read_limited(pdf, "long.pdf", DocumentLimits(max_pages=10))
    with pytest.raises(DocumentTooLarge, match="MAX_DOCUMENT_BYTES"):
        read_limited(pdf, "long.pdf", DocumentLimits(max_bytes=len(pdf) - 1))
    # A Word file whose text unpacks past the cap, though it packs well below the bomb ratio.
    big = docx_bytes([f"Paragraph {n} of the minutes, recorded in full." for n in range(3000)])
    with pytest.raises(DocumentTooLarge, match="MAX_DOCUMENT_UNPACKED_BYTES"):
        read_limited(big, "minutes.docx", DocumentLimits(max_unpacked=200_000))


def test_reading_is_stopped_at_its_time_and_memory_limits() -> None:
    text = ("The board met again. " * 400 + "\n\n") * 1200  # about 10 MB of text: seconds of work
    data = text.encode()
    with pytest.raises(DocumentTimeout, match=r"longer than 0\.3s"):
        read_limited(data, "long.txt", DocumentLimits(max_bytes=len(data), seconds=0.3))
    # The same text with 16 MiB to spare: decoding and cleaning it needs more, and the child says so.
    with pytest.raises(DocumentCrashed, match="memory"):
        read_limited(data, "long.txt", DocumentLimits(max_bytes=len(data), memory_bytes=16 << 20))


def test_file_names_are_cleaned_for_titles() -> None:
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("C:\\Users\\ann\\report\u202e.pdf") == "report.pdf"
    long = clean_name("a" * 300 + ".pdf")
    assert long is not None and len(long) <= 120 and long.endswith("….pdf")
    assert clean_name("") is None


async def test_each_kind_is_stored_and_found_in_its_chats_scope(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingestor = services.ingestor
    made = layout_pdf("Porthaven harbour to be dredged", PARAGRAPHS * 3)
    docs = {
        "harbour.pdf": made.data,
        "minutes.docx": docx_bytes(
            [
                "The ferry company Islandlink ordered two electric ferries from a yard in Gdansk, its chief "
                "executive Marta Lind said, to enter service on the island routes in 2027.",
                *PARAGRAPHS[2:],
            ]
        ),
        "page.html": (
            b"<html><head><title>Lighthouse keepers return</title></head><body><article><p>The lighthouse on "
            b"Skarv island will be staffed again from May, the coastal authority said, after automation "
            b"failed twice during the winter storms and left the passage dark for hours.</p></article>"
            b"</body></html>"
        ),
        "note.txt": (
            b"The sailing school on the western pier will double its summer courses after a record number "
            b"of sign-ups, its director Hanne Berg said on Friday."
        ),
    }
    for name, data in docs.items():
        result = await ingestor.ingest_document(data, name, added_by="101")
        assert result.status == "added", (name, result.reason)
    titles = {a.title for a in await services.library.list_articles(scope="101")}
    assert titles == {
        "Porthaven harbour to be dredged", "minutes.docx", "Lighthouse keepers return", "note.txt",
    }  # fmt: skip
    for question, title in [
        ("Who ordered electric ferries?", "minutes.docx"),
        ("When will the northern channel be dredged?", "Porthaven harbour to be dredged"),
        ("Will the Skarv lighthouse be staffed?", "Lighthouse keepers return"),
        ("Why is the sailing school doubling its courses?", "note.txt"),
    ]:
        hits = await services.searcher.search(question, k=3, filters=SearchFilters(scope="101"))
        assert hits and hits[0].title == title, question
        assert not await services.searcher.search(question, k=3, filters=SearchFilters(scope="202"))
    # The same file in another chat is that chat's own copy; in the first, a duplicate.
    again = await ingestor.ingest_document(made.data, "harbour.pdf", added_by="202")
    assert again.status == "added" and again.article.added_by == "202"
    assert (await ingestor.ingest_document(made.data, "copy.pdf", added_by="101")).status == "duplicate"


async def test_cli_files_go_through_the_same_reader(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf(1))
    (tmp_path / "minutes.docx").write_bytes(docx_bytes(PARAGRAPHS))
    (tmp_path / "disguised.txt").write_bytes(docx_bytes([*PARAGRAPHS[:2], "A second set of minutes."]))
    results = {Path(r.source).name: r for r in await services.ingestor.ingest_path(tmp_path)}
    assert results["scan.pdf"].status == "failed" and "no text layer" in (results["scan.pdf"].reason or "")
    minutes = results["minutes.docx"].article
    assert minutes is not None and minutes.title == "minutes.docx" and minutes.url.startswith("file://")
    assert results["disguised.txt"].status == "added"  # a Word file under a .txt name is read as one
