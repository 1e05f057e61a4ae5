"""Text embedders behind one interface: MiniLM and E5 on onnxruntime, the two as an ensemble (the offline
default), or any OpenAI-compatible endpoint."""

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
