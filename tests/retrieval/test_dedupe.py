from retrieval.dedupe import bands, content_hash, overlap, shingles

BASE = (
    "The Kremlin said on Thursday that the four regions are part of Russia and that their status is not "
    "up for negotiation, a position repeated by the foreign minister a day earlier at a press conference "
    "in Moscow "
    "where he also dismissed proposals for a ceasefire along the current front line in eastern Ukraine."
)


def test_content_hash_ignores_spacing_and_punctuation() -> None:
    assert content_hash("Hello,   world!\n\nNext.") == content_hash("hello world next")
    assert content_hash("Hello world") != content_hash("Hello there world")


def test_syndicated_copy_overlaps_and_shares_bands() -> None:
    copy = "By Agency Staff. " + BASE + " Reporting by the agency."
    a, b = shingles(BASE), shingles(copy)
    assert overlap(a, b) >= 0.85
    assert set(bands(a)) & set(bands(b))


def test_different_texts_do_not_overlap() -> None:
    other = (
        "A coastal town opened a tidal power plant with twelve turbines in the harbour mouth on Monday "
        "morning."
    )
    assert overlap(shingles(BASE), shingles(other)) < 0.1


def test_bands_are_deterministic() -> None:
    assert bands(shingles(BASE)) == bands(shingles(BASE))
    assert bands(set()) == []
