"""Engine threads that answer questions sleep between calls instead of busy-waiting (see retrieval.embed)."""

from __future__ import annotations

import numpy as np

from retrieval.embed import E5Embedder, LocalEmbedder
from retrieval.priority import in_bulk_thread

_SPIN = "session.intra_op.allow_spinning"

def test_e5s_sessions_sleep_between_calls(e5: E5Embedder) -> None:
    e5.embed_sync(["Did Russia accept a ceasefire?"], query=True)
    assert e5._session.get_session_options().get_session_config_entry(_SPIN) == "0"
    in_bulk = e5._new_session(bulk=True)
    assert in_bulk.get_session_options().get_session_config_entry(_SPIN) == "0"


async def test_minilm_threads_sleep_on_questions_and_in_bulk_with_the_same_vectors(
    embedder: LocalEmbedder,
) -> None:
    texts = ["Did Russia accept a ceasefire?", "The council approved the tram line by nine votes to four."]
    asked = embedder.embed_sync(texts)
    assert embedder._session.get_session_options().get_session_config_entry(_SPIN) == "0"

    def bulk() -> tuple[np.ndarray, str]:
        vectors = embedder.embed_sync(texts)
        return vectors, embedder._bulk_session.get_session_options().get_session_config_entry(_SPIN)

    vectors, spin = await in_bulk_thread(bulk)
    assert spin == "0"
    assert np.allclose(vectors, asked, atol=1e-6)
