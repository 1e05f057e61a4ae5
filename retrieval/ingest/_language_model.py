"""Imported by the extraction workers' fork server only: loads the language model there, so every worker it
forks shares the model's memory instead of loading its own (see _workers._PRELOAD)."""

from retrieval.text import load_language_model

load_language_model()
