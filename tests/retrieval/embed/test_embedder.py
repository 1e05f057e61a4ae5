import hashlib

import numpy as np
import pytest

from retrieval.embed import EmbeddingError, LocalEmbedder, default_model_files
from retrieval.embed._local import MODEL_SHA256


def test_pinned_files_verify() -> None:
    model, tokenizer = default_model_files()
    assert hashlib.sha256(model.read_bytes()).hexdigest() == MODEL_SHA256
    assert tokenizer.name == "tokenizer.json"


async def test_vectors_are_normalised_and_meaningful(embedder: LocalEmbedder) -> None:
    vecs = await embedder.embed(
        [
            "The Kremlin says the annexed regions are not negotiable.",
            "Moscow rules out talks on the status of occupied Ukrainian territories.",
            "A recipe for sourdough bread with a long cold fermentation.",
        ]
    )
    assert vecs.shape == (3, embedder.dim) == (3, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.3


async def test_batching_and_order_do_not_change_results(embedder: LocalEmbedder) -> None:
    texts = [f"Item {i}: " + "word " * (i * 7 % 60) for i in range(20)]
    together = await embedder.embed(texts)
    alone = np.vstack([await embedder.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


async def test_runs_stay_within_the_token_budget(embedder: LocalEmbedder, monkeypatch) -> None:
    # Long passages must not go eight to a run: onnxruntime's arena would keep that run's memory for good.
    shapes: list[tuple[int, int]] = []
    real_run = embedder._run

    def spy(session, ids, mask):  # type: ignore[no-untyped-def]
        shapes.append(ids.shape)
        return real_run(session, ids, mask)

    monkeypatch.setattr(embedder, "_run", spy)
    texts = ["long " * 400 + str(i) for i in range(6)] + [f"Short sentence {i}." for i in range(20)]
    together = embedder.embed_sync(texts)
    assert all(rows * width <= embedder.batch_tokens or rows == 1 for rows, width in shapes)
    assert max(rows for rows, _ in shapes) > 2  # short sentences still share runs
    assert sum(rows for rows, _ in shapes) == len(texts)
    alone = np.vstack([embedder.embed_sync([t]) for t in texts[:7]])
    assert np.allclose(together[:7], alone, atol=1e-4)


def test_window_is_256_tokens_not_128(embedder: LocalEmbedder) -> None:
    long_a = "alpha " * 150 + "ending about volcanoes and lava"
    long_b = "alpha " * 150 + "ending about banking and interest rates"
    a, b = embedder.embed_sync([long_a, long_b])
    # Past token 128 the texts differ; a 128-token truncation would make them identical.
    assert float(a @ b) < 0.999
    assert embedder.count_tokens("hello world") == 4


def test_empty_input(embedder: LocalEmbedder) -> None:
    assert embedder.embed_sync([]).shape == (0, 384)


def test_bad_model_dir(tmp_path) -> None:
    with pytest.raises(EmbeddingError, match=r"model\.onnx"):
        LocalEmbedder(tmp_path)


async def test_api_embedder_failures_read_plainly_and_never_quote_the_key() -> None:
    from retrieval.embed import EmbeddingError, OpenAIEmbedder
    from tests.support.llm_server import LlmServer

    async with LlmServer(api_key="sk-right-key") as llm:
        embedder = OpenAIEmbedder(
            base_url=f"{llm.url}/v1", api_key="sk-wrong-key-1234", model="m", dim=llm.dim, max_retries=0
        )
        with pytest.raises(EmbeddingError) as refused:
            await embedder.embed(["a passage"])
        await embedder.aclose()
    assert str(refused.value) == "embedding endpoint failed: HTTP 401 (the endpoint refused the API key)"
    assert "1234" not in str(refused.value) and "Incorrect" not in str(refused.value)


def test_token_runs_group_by_length_within_the_budget() -> None:
    from retrieval.embed._base import token_runs

    lengths = [300, 10, 12, 600, 11, 250, 9]
    runs = token_runs(lengths, batch_size=3, batch_tokens=512)
    assert sorted(i for run in runs for i in run) == list(range(len(lengths)))
    # Shortest first, three at most a run; a short text pads up to a long one while two of it fit in 512
    # tokens (12 with 250), and texts over half the budget go alone.
    assert runs == [[6, 1, 4], [2, 5], [0], [3]]
    for run in runs:
        assert len(run) == 1 or len(run) * max(lengths[i] for i in run) <= 512
