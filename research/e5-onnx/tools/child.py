"""One measurement in a fresh process, so that its peak RSS is its own (validate.py runs it).

python tools/child.py KIND VARIANT CACHE_DIR TEXTS_JSON QUESTIONS_JSON  ->  one JSON line
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def peak_mb() -> float:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec, so a child
    # of a big process would report the parent's peak.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    kind, variant, cache = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    texts, qs = json.loads(Path(sys.argv[4]).read_text()), json.loads(Path(sys.argv[5]).read_text())
    out: dict[str, object] = {}
    if kind == "build":
        import e5_cache

        started = time.perf_counter()
        got = e5_cache.cached_graph(cache, variant, in_child=False)  # measure the build in this process
        out = {
            "seconds": round(time.perf_counter() - started, 2),
            "mb": round(got.path.stat().st_size / 1e6, 1),
        }
    elif kind == "tokenizer":
        out["before_mb"] = peak_mb()
        import e5_tokenizer
        import e5_weights

        tok = e5_tokenizer.E5Tokenizer(e5_weights.read_vocabulary())
        for t in texts:
            tok.content_ids("passage: " + t)
    elif kind == "engine":
        import e5_oracle

        engine = e5_oracle.engine(2)
        e5_oracle.engine_vectors(engine, texts)
        for q in qs:
            engine.encode([q], is_query=True)
    elif kind == "minilm":
        from retrieval.embed import LocalEmbedder

        LocalEmbedder(threads=2).embed_sync(texts)
    else:
        import e5_onnx

        emb = e5_onnx.E5OnnxEmbedder(cache, variant=variant, threads=2)
        emb.embed_sync(texts)
        for q in qs:
            emb.embed_sync([q], query=True)
    out["peak_rss_mb"] = peak_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
