import itertools

from retrieval.chunking import Chunker, passage_for_embedding
from retrieval.embed import LocalEmbedder
from retrieval.text import split_sentences


def test_chunks_fit_the_window_and_overlap(embedder: LocalEmbedder) -> None:
    sentences = [
        f"Sentence number {i} talks about topic {i % 7} in some detail for the reader." for i in range(80)
    ]
    text = "\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, 80, 4))
    chunker = Chunker(embedder.count_tokens, max_tokens=120, overlap_tokens=30)
    chunks = chunker.split(text)
    assert len(chunks) > 5
    for c in chunks:
        assert embedder.count_tokens(c.text) <= 120 + 2  # sentence joins may add a special-token boundary
    # Every sentence survives, in order.
    joined = " ".join(c.text for c in chunks)
    positions = [joined.find(s) for s in sentences]
    assert all(p >= 0 for p in positions)
    # Consecutive chunks share a sentence (the overlap), and chunks never cut inside a sentence.
    for a, b in itertools.pairwise(chunks):
        first_of_b = split_sentences(b.text.split("\n\n")[0])[0]
        assert first_of_b in a.text
    for c in chunks:
        assert c.text.rstrip().endswith(".")


def test_overlong_sentence_is_split_on_words(embedder: LocalEmbedder) -> None:
    text = " ".join(f"word{i}" for i in range(600)) + "."
    chunks = Chunker(embedder.count_tokens, max_tokens=100, overlap_tokens=0).split(text)
    assert len(chunks) >= 6
    assert all(embedder.count_tokens(c.text) <= 100 for c in chunks)


def test_chunks_never_cut_inside_a_quotation() -> None:
    count = lambda s: len(s.split())  # noqa: E731
    quote = 'The minister said "We will not yield. Not today. Not ever. Not one step." and left the room.'
    text = " ".join(f"Filler sentence number {i} here." for i in range(6)) + " " + quote + " Then it rained."
    chunks = Chunker(count, max_tokens=20, overlap_tokens=0, min_tokens=1).split(text)
    assert len(chunks) > 2
    assert any(quote in c.text for c in chunks)


def test_short_tail_joins_previous_chunk() -> None:
    count = lambda s: len(s.split())  # noqa: E731
    text = " ".join(["one two three four five six seven eight nine ten."] * 5) + " Tail."
    chunks = Chunker(count, max_tokens=30, overlap_tokens=0, min_tokens=5).split(text)
    assert chunks[-1].text.endswith("Tail.")
    assert all(count(c.text) <= 30 for c in chunks)
    assert count(chunks[-1].text) > 1


def test_title_is_prepended_unless_the_chunk_opens_with_it() -> None:
    assert passage_for_embedding("Harbour plant opens", "The plant has twelve turbines.") == (
        "Harbour plant opens\nThe plant has twelve turbines."
    )
    # An untitled text's title is its own first line: repeating it would only weigh that line twice.
    text = "The council voted seven to two.\n\nThe ban starts on Monday."
    assert passage_for_embedding("The council voted seven to two.", text) == text
    assert passage_for_embedding("  ", "Body only.") == "Body only."
