"""Text embedders behind one interface: MiniLM and E5 on onnxruntime, the two as an ensemble (the offline
default), or any OpenAI-compatible endpoint."""

import os

# E5's engine runs on OpenMP, whose threads by default busy-wait after each parallel region. Set before
# the engine loads (its OpenMP runtime reads this once), unless the operator chose otherwise: on a 2-core
# machine with other work, one question's E5 embedding took 300-500 ms of CPU and 1-2 s busy-waiting, and
# 22-25 ms and 30-50 ms with sleeping threads; bulk embedding went from 0.5 to 0.9 passages/s there too.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from ._base import Embedder, EmbeddingError
from ._e5_onnx import E5Embedder
from ._ensemble import EnsembleEmbedder, minilm_e5
from ._local import LocalEmbedder, default_model_files
from ._openai import OpenAIEmbedder
from ._queries import QueryVectors

__all__ = [
    "E5Embedder",
    "Embedder",
    "EmbeddingError",
    "EnsembleEmbedder",
    "LocalEmbedder",
    "OpenAIEmbedder",
    "QueryVectors",
    "default_model_files",
    "minilm_e5",
]
