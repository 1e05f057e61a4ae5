"""Engine threads that answer questions sleep between calls instead of busy-waiting (see retrieval.embed)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from retrieval.embed import LocalEmbedder
from retrieval.priority import in_bulk_thread
from tests.support.corpus import REPO

_SPIN = "session.intra_op.allow_spinning"

# Loads E5's engine in a fresh process as the bot does (retrieval.embed first); the OpenMP runtime the engine
# brought along prints the settings it starts with (OMP_DISPLAY_ENV). It shows its default as "PASSIVE" too;
# how long its threads busy-wait (GOMP_SPINCOUNT: 300000 by default, 0 when told PASSIVE) tells them apart.
_PROBE = """
import os, sys
if sys.argv[1] != "-":
    os.environ["OMP_WAIT_POLICY"] = sys.argv[1]
import bot.services  # the bot's own import order
from retrieval.embed import E5Embedder
E5Embedder().embed_sync(["a question"], query=True)
"""


def _spin_count(preset: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env.update(PYTHONPATH=str(REPO), OMP_DISPLAY_ENV="VERBOSE")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, preset], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [line] = [x for x in done.stderr.splitlines() if "GOMP_SPINCOUNT" in x]
    return line.split("=")[1].strip().strip("'")


def test_e5s_openmp_threads_sleep_unless_the_operator_says_otherwise() -> None:
    assert _spin_count("-") == "0"
    assert int(_spin_count("ACTIVE")) > 0


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
