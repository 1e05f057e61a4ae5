"""Word files (.docx) with python-docx, after the archive is checked: a .docx is a zip, and a zip can unpack
to far more than it weighs. python-docx reads every part of the package into memory when it opens it, so
the sizes the archive declares are checked before it is opened. Python's zipfile never inflates a member
past its declared size (it stops there and fails the checksum), so a member that lies about its size cannot
get past this either."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._errors import CorruptDocument, DocumentTooLarge, UnsafeDocument

if TYPE_CHECKING:
    from docx.document import Document
    from docx.text.paragraph import Paragraph

# A member that unpacks to more than this many times its packed size is a bomb, not a document (text XML
# packs 5 to 20 times; a megabyte of zeros about 1,000 times).
_MAX_RATIO = 200
_MAX_MEMBERS = 5_000
_RATIO_FROM = 1 << 20  # small members may pack well: only those unpacking past a MiB are held to it


@dataclass(slots=True)
class DocxText:
    paragraphs: list[str]
    title: str | None


def check_archive(data: bytes, max_unpacked: int) -> None:
    """Raises UnsafeDocument, DocumentTooLarge or CorruptDocument before anything is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptDocument() from exc
    if len(members) > _MAX_MEMBERS:
        raise UnsafeDocument(f"the file holds {len(members):,} parts, more than a document has")
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > _RATIO_FROM and member.file_size > _MAX_RATIO * max(1, member.compress_size):
            raise UnsafeDocument()
    if total > max_unpacked:
        raise DocumentTooLarge.of(
            total, max_unpacked, what="the file unpacked", setting="MAX_DOCUMENT_UNPACKED_BYTES"
        )


def read_docx(data: bytes, max_unpacked: int) -> DocxText:
    check_archive(data, max_unpacked)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CorruptDocument() from exc
    except Exception as exc:  # lxml's XMLSyntaxError and python-docx's own errors on a broken package
        raise CorruptDocument() from exc
    paragraphs: list[str] = []
    heading: str | None = None
    for para in _blocks(document):
        text = " ".join(para.text.split())
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        if heading is None and not paragraphs and style.lower() in ("title", "heading 1"):
            heading = text
            continue
        paragraphs.append(text)
    props = document.core_properties
    title = " ".join((props.title or "").split()) or heading
    return DocxText(paragraphs, title or None)


def _blocks(document: Document) -> list[Paragraph]:
    """Body paragraphs, then the paragraphs inside tables (a table's cells are read row by row; a merged
    cell, which python-docx hands out once per grid square, once)."""
    paras = list(document.paragraphs)
    seen: set[int] = set()
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    paras.extend(cell.paragraphs)
    return paras
