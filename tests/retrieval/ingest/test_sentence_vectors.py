"""Sentence vectors stored beside the passages: written at ingestion, gone with their article, kept or filled
in by a reindex, and read only for the very text they were computed from. Real SQLite, Chroma and MiniLM."""

from __future__ import annotations

import numpy as np
import pytest

from bot.services import Services, open_services
from retrieval.store import round_vectors, statement_texts
from retrieval.text import passage_sentences
from tests.support.corpus import CORPUS, DEMO, make_settings
from tests.support.embedders import WatchedEmbedder


async def _texts(services: Services) -> dict[str, str]:
    """Every searchable chunk's text, by id."""
    indexed = await services.library.indexed_chunks()
    return {r.chunk_id: r.text for records in indexed.values() for r in records}


async def _rows(services: Services) -> dict[str, np.ndarray]:
    """Every chunk's stored sentence vectors, read as an answer reads them."""
    model = services.embedder.sentence_model()
    return await services.library.sentence_vectors(model.id, model.dim, await _texts(services))


async def test_ingestion_stores_each_passages_sentence_vectors(services: Services) -> None:
    results = await services.ingestor.ingest_many(CORPUS)
    assert all(r.ok for r in results)
    rows = await _rows(services)
    records = [r for rs in (await services.library.indexed_chunks()).values() for r in rs]
    assert set(rows) == {r.chunk_id for r in records} and len(records) >= len(CORPUS)
    for record in records:
        sentences = passage_sentences(record.text)
        expected = round_vectors(await services.embedder.embed(sentences))
        assert rows[record.chunk_id].shape == (len(sentences), services.embedder.dim)
        # The numbers an answer would compute now (batches differ, so not to the last bit of float16).
        assert np.allclose(rows[record.chunk_id], expected, atol=2e-3)


async def test_forgetting_an_article_removes_its_vectors_and_a_freed_copy_gets_its_own(
    services: Services,
) -> None:
    [first] = await services.ingestor.ingest_many(CORPUS[:1])
    copy = type(CORPUS[0])(
        text="By Wire Staff\n\n" + CORPUS[0].text + "\n\nThis story was distributed by a news agency.",
        title=CORPUS[0].title, url="https://partner.example/tidal", site="Partner Paper",
    )  # fmt: skip
    [linked] = await services.ingestor.ingest_many([copy])
    assert linked.status == "near_duplicate"
    [other] = await services.ingestor.ingest_many(CORPUS[1:2])
    assert first.article and linked.article and other.article
    before = await _rows(services)
    assert await services.ingestor.forget(first.article.id)
    after = await _rows(services)
    first_chunks = {k for k in before if k.startswith(f"{first.article.id}:")}
    assert first_chunks and not first_chunks & set(after)
    # Nothing of the forgotten article is left in the table, not even under another model's name.
    assert not await services.library.sentence_vector_chunks(services.embedder.id) & first_chunks
    # The copy became an article of its own: its passages were cut, embedded and given sentence vectors.
    copy_chunks = {r.chunk_id for r in await services.library.article_chunks(linked.article.id)}
    assert copy_chunks and copy_chunks <= set(after)
    assert {r.chunk_id for r in await services.library.article_chunks(other.article.id)} <= set(after)


async def test_a_row_is_used_only_for_the_text_it_was_computed_from(services: Services) -> None:
    [r] = await services.ingestor.ingest_many(CORPUS[2:3])
    assert r.article is not None
    [record, *_] = await services.library.article_chunks(r.article.id)
    model = services.embedder.sentence_model()
    sentences = passage_sentences(record.text)
    vectors = round_vectors(await model.embed(sentences))
    # A chunk that does not hold this text, or does not exist, gets nothing written.
    other = "Another text. It has two sentences."
    assert await services.library.put_sentence_vectors(model.id, [(record.chunk_id, other, vectors[:2])]) == 0
    assert await services.library.put_sentence_vectors(model.id, [("999:0", record.text, vectors)]) == 0
    with pytest.raises(ValueError):
        await services.library.put_sentence_vectors(model.id, [(record.chunk_id, record.text, vectors[:1])])
    read = await services.library.sentence_vectors(model.id, model.dim, {record.chunk_id: record.text})
    assert np.array_equal(read[record.chunk_id], vectors)
    # Asked with other text (a sentence splitter that now cuts the passage differently), or for another
    # model, or at another size, the row is not used.
    library, own = services.library, {record.chunk_id: record.text}
    assert await library.sentence_vectors(model.id, model.dim, {record.chunk_id: other}) == {}
    assert await library.sentence_vectors("other-model", model.dim, own) == {}
    assert await library.sentence_vectors(model.id, 128, own) == {}


async def test_reindex_fills_in_missing_rows_keeps_valid_ones_and_drops_other_models(
    services: Services,
) -> None:
    assert all(r.ok for r in await services.ingestor.ingest_many(CORPUS))
    model = services.embedder.sentence_model()
    before = await _rows(services)
    texts = await _texts(services)
    [gone, *kept] = sorted(before)
    # A library from before the table (or a row lost): the chunk has none; another model's row is stale.
    await services.library._run(
        lambda c: c.execute("DELETE FROM sentence_vectors WHERE chunk_id = ?", (gone,))
    )
    await services.library.put_sentence_vectors("retired-model", [(gone, texts[gone], before[gone])])
    # A kept row is not embedded again: it stays exactly as it was, marked here by a value no model gives.
    marked = before[kept[0]].copy()
    marked[0, 0] = 0.5
    await services.library.put_sentence_vectors(model.id, [(kept[0], texts[kept[0]], marked)])

    await services.ingestor.reindex()

    after = await _rows(services)
    assert set(after) == set(before)
    assert np.allclose(after[gone], before[gone], atol=2e-3)
    assert after[kept[0]][0, 0] == 0.5
    assert await services.library.sentence_vector_chunks("retired-model") == set()


async def test_a_sentence_model_behind_an_api_leaves_it_to_the_answers(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    # `local` is False for anything but the ONNX models, as for the OpenAI-compatible embedder: no sentences
    # are embedded ahead of need at ingestion.
    watched = WatchedEmbedder(embedder)
    services = await open_services(make_settings(settings.data_dir), embedder=watched)
    try:
        assert all(r.ok for r in await services.ingestor.ingest_many(CORPUS[:2]))
        assert await services.library.sentence_vector_chunks(watched.id) == set()
        assert watched.calls == 1  # the passages, in one call
    finally:
        services.index.close()
        services.library.close()


async def _statement_rows(services: Services, article_id: int) -> dict[int, np.ndarray]:
    model = services.embedder.sentence_model()
    found = await services.library.statements(article_ids=[article_id], limit=1000)
    texts = {s.id: statement_texts(s, r.title) for s, r in found if s.id is not None}
    return await services.library.statement_vectors(model.id, model.dim, texts)


async def test_statements_get_their_vectors_which_go_with_them(services: Services) -> None:
    [r] = await services.ingestor.ingest_path(DEMO / "07-kremlin-annexed-regions-non-negotiable.txt")
    assert r.ok and r.article is not None and r.statements > 0
    found = await services.library.statements(article_ids=[r.article.id], limit=1000)
    rows = await _statement_rows(services, r.article.id)
    assert set(rows) == {s.id for s, _ in found}
    statement, record = found[0]
    assert statement.id is not None
    expected = round_vectors(await services.embedder.embed(statement_texts(statement, record.title)))
    assert np.allclose(rows[statement.id], expected, atol=2e-3)
    # Statements read again (a new extractor version) replace the old ones, and their vectors theirs.
    count = "SELECT COUNT(*) FROM statement_vectors"
    # A row whose statement reads otherwise now is not used.
    changed = "UPDATE statements SET text = 'something else' WHERE id = ?"
    await services.library._run(lambda c: c.execute(changed, (statement.id,)))
    assert set(await _statement_rows(services, r.article.id)) == set(rows) - {statement.id}
    article = await services.library.get_article(r.article.id)
    assert article is not None
    await services.ingestor._extract_statements(article)
    again = await _statement_rows(services, r.article.id)
    assert len(again) == len(rows) == (await services.library._run(lambda c: c.execute(count).fetchone()))[0]
    assert await services.ingestor.forget(r.article.id)
    assert (await services.library._run(lambda c: c.execute(count).fetchone()))[0] == 0
