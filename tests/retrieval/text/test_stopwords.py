from retrieval.store._library import fts_query
from retrieval.text import STOPWORDS


def test_stopwords_are_lowercase_single_words() -> None:
    assert all(w == w.lower() and w.isalpha() for w in STOPWORDS)


def test_function_words_and_reporting_filler_are_stopwords_content_words_are_not() -> None:
    assert {"the", "and", "not", "said", "according", "mr", "s"} <= STOPWORDS
    assert not {"ceasefire", "kremlin", "sanctions", "peace", "war", "may", "us"} & STOPWORDS


def test_full_text_queries_drop_exactly_the_stopwords() -> None:
    question = "What did the Kremlin say about the new sanctions, according to Mr Peskov?"
    assert fts_query(question) == '"kremlin" OR "sanctions" OR "peskov"'
