"""Text embedders behind one interface: MiniLM on onnxruntime (offline default), MiniLM + E5 as an
ensemble, or any OpenAI-compatible endpoint."""

from ._base import Embedder, EmbeddingError
from ._ensemble import E5Embedder, EnsembleEmbedder, minilm_e5
from ._local import LocalEmbedder, default_model_files
from ._openai import OpenAIEmbedder

__all__ = [
    "E5Embedder",
    "Embedder",
    "EmbeddingError",
    "EnsembleEmbedder",
    "LocalEmbedder",
    "OpenAIEmbedder",
    "default_model_files",
    "minilm_e5",
]
