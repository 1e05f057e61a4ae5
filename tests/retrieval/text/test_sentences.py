import pytest

from retrieval.text import ends_sentence, paragraphs, passage_sentences, sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # Quotations with full stops inside stay whole, straight or curly.
        (
            'He said "No. Never." and left. Then he came back.',
            ['He said "No. Never." and left.', "Then he came back."],
        ),
        ("She said “Stop. Now.” Then she left.", ["She said “Stop. Now.”", "Then she left."]),
        ("«Нет. Никогда», сказал он. Потом ушёл.", ["«Нет. Никогда», сказал он.", "Потом ушёл."]),
        # A quote that ends on its own "!" or "?" keeps its attribution; a pronoun after it starts afresh only
        # when the quote closed the sentence.
        (
            "“This is so wasteful!” Trump wrote. Others agreed.",
            ["“This is so wasteful!” Trump wrote.", "Others agreed."],
        ),
        (
            '"This is undeniable," he said. The side did not comment.',
            ['"This is undeniable," he said.', "The side did not comment."],
        ),
        ('"Why now?" He shrugged.', ['"Why now?"', "He shrugged."]),
        # Titles, months, times and numbers.
        (
            "Mr. Peskov and Sen. Warren met Dr. Smith on Feb. 27 at 10 a.m. local time. They talked.",
            ["Mr. Peskov and Sen. Warren met Dr. Smith on Feb. 27 at 10 a.m. local time.", "They talked."],
        ),
        (
            "Gov. Newsom signed bill No. 5 today. No. He did not veto it.",
            ["Gov. Newsom signed bill No. 5 today.", "No.", "He did not veto it."],
        ),
        (
            "It rose 3.5 percent to $1.2 billion. 12 analysts had expected less.",
            ["It rose 3.5 percent to $1.2 billion.", "12 analysts had expected less."],
        ),
        # Initials run on into the name; a sentence opener after them does not.
        (
            "John F. Kennedy and George H.W. Bush studied at the Harvard T.H. Chan School. The end.",
            ["John F. Kennedy and George H.W. Bush studied at the Harvard T.H. Chan School.", "The end."],
        ),
        (
            "The meeting ended at 10 a.m. The talks resumed at noon.",
            ["The meeting ended at 10 a.m.", "The talks resumed at noon."],
        ),
        # A country abbreviation goes on into an institution's name, not into a new sentence.
        (
            "The U.S. Geological Survey and U.S. Immigration and Customs Enforcement agreed. Fine.",
            ["The U.S. Geological Survey and U.S. Immigration and Customs Enforcement agreed.", "Fine."],
        ),
        (
            "He flew back to the U.S. The next day he resigned.",
            ["He flew back to the U.S.", "The next day he resigned."],
        ),
        ("He posted on X. Then he left.", ["He posted on X.", "Then he left."]),
        # Cyrillic capitals open sentences; Cyrillic initials are initials.
        ("Путин сказал это вчера. Песков не ответил.", ["Путин сказал это вчера.", "Песков не ответил."]),
        ("Это написал А. С. Пушкин. Все знают.", ["Это написал А. С. Пушкин.", "Все знают."]),
        # „…“ closes on its high mark; quotations nested in «…» stay inside it, full stops and all.
        ("Он говорит: „Нет. Никогда“. Потом ушёл.", ["Он говорит: „Нет. Никогда“.", "Потом ушёл."]),
        (
            "«Мне сказали: „Вы победили. Поздравляем“. Я не поверил», — сказал он. Все смеялись.",
            ["«Мне сказали: „Вы победили. Поздравляем“. Я не поверил», — сказал он.", "Все смеялись."],
        ),
        (
            "«Газета «Вечерний город» ошиблась. Мы это докажем», — заявил он. Затем ушёл.",
            ["«Газета «Вечерний город» ошиблась. Мы это докажем», — заявил он.", "Затем ушёл."],
        ),
        # Russian and Ukrainian abbreviations go on into the sentence, unless a word that opens one follows.
        (
            "Музей им. Горького на ул. Садовой, д. 5, получил 5 тыс. руб., т. е. доволен. Конец.",
            ["Музей им. Горького на ул. Садовой, д. 5, получил 5 тыс. руб., т. е. доволен.", "Конец."],
        ),
        ("Завод построят к 2027 г. Он будет дорогим.", ["Завод построят к 2027 г.", "Он будет дорогим."]),
        ("Школу відкрили в 2024 р. Це перша школа.", ["Школу відкрили в 2024 р.", "Це перша школа."]),
        ("Губернатор В. П. Гордеев приехал. Все ждали.", ["Губернатор В. П. Гордеев приехал.", "Все ждали."]),
        # A dash that opens a line of dialogue after a full stop starts a sentence; after a quotation it is
        # the quotation's attribution.
        (
            "— Мы не уйдём, — сказал он. — Решение принято.",
            ["— Мы не уйдём, — сказал он.", "— Решение принято."],
        ),
        ("«Стоп!» — крикнул он. Все замерли.", ["«Стоп!» — крикнул он.", "Все замерли."]),
        # Ellipses end a sentence before a capital, not before a lower-case word.
        ("He paused… Then he spoke.", ["He paused…", "Then he spoke."]),
        ("He paused... then went on. Wait... What?", ["He paused... then went on.", "Wait...", "What?"]),
        # Brackets and citation markers after the full stop belong to the sentence they close.
        ("(He left.) Then she did.", ["(He left.)", "Then she did."]),
        (
            'He said "yes." [3] Then he left. [1][2] Done.',
            ['He said "yes." [3]', "Then he left. [1][2]", "Done."],
        ),
        # Lower case after a full stop continues; an unfinished last sentence is still a sentence.
        ("Prices rose, e.g. for bread. and then", ["Prices rose, e.g. for bread. and then"]),
        ("One. Two and a half", ["One.", "Two and a half"]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_a_quotation_cut_off_by_the_end_of_a_truncated_text_stays_in_the_last_sentence() -> None:
    text = 'It began. He said: "We will fight. We will win'
    assert split_sentences(text, truncated=True) == ["It began.", 'He said: "We will fight. We will win']
    # In a text that is whole, the unclosed mark is a slip: it hides no sentence break.
    assert split_sentences(text) == ["It began.", 'He said: "We will fight.', "We will win"]
    far = f'He said: "We will fight. {"We will win. " * 60}The end'
    assert len(split_sentences(far, truncated=True)) == 62


def test_a_stray_quote_mark_long_before_the_end_is_not_a_quotation() -> None:
    # A 12" pizza opens no quotation: were it taken for one, the whole text would be one sentence.
    filler = " ".join(f"Sentence {i} is about pizza." for i in range(40))
    text = f'He ordered a 12" pizza. {filler}'
    assert len(split_sentences(text)) == 41


def test_a_closing_mark_with_no_opening_one_is_a_stray() -> None:
    # A chunk that starts inside a quotation: its first mark closes nothing, and must not open one either.
    text = 'We will win," the minister said. Then he left. The crowd cheered.'
    expected = ['We will win," the minister said.', "Then he left.", "The crowd cheered."]
    assert split_sentences(text) == expected


def test_a_quotation_left_open_gives_way_to_the_next_opening_mark() -> None:
    # The first quotation never closes: the second mark, after a word and before one, opens a new quotation
    # rather than closing the first one across a sentence break.
    text = 'Putin called them "citizens forever [1]. On 14 June, Putin called the terms "very simple [2].'
    assert split_sentences(text) == [
        'Putin called them "citizens forever [1].',
        'On 14 June, Putin called the terms "very simple [2].',
    ]


def test_quoted_paragraphs_run_together_keep_the_first_quotation_whole() -> None:
    # News style: every quoted paragraph opens with a mark, only the last one closes. Run together into one
    # line, the mark after a finished sentence closes the quotation before it (which the statement rules need
    # whole, closing mark included) instead of opening a new one; the text after it is read as unquoted.
    text = 'CNN: "He will get it. It is rare. "Winners include Kissinger. Also Stern. "The end," it said.'
    assert split_sentences(text) == [
        'CNN: "He will get it. It is rare. "Winners include Kissinger.',
        "Also Stern.",
        '"The end," it said.',
    ]


def test_spans_point_into_the_text() -> None:
    text = "  First one.  Second one!\n\nThird "
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one!", "Third"]


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("Fact [2].", True),
        ('He said "yes." [3]', True),
        ("He left.) ", True),
        ("Really?”", True),
        ("and a half", False),
        ("a list:", False),
        ("", False),
    ],
)
def test_ends_sentence(text: str, ends: bool) -> None:
    assert ends_sentence(text) is ends


def test_paragraphs_split_on_blank_lines_and_collapse_spaces() -> None:
    text = "\n  One  line\nwrapped here.\n \t\nTwo.\n\n\n\nThree  \n"
    assert paragraphs(text) == ["One line wrapped here.", "Two.", "Three"]
    assert paragraphs(text, keep_lines=True) == ["One  line\nwrapped here.", "Two.", "Three"]
    assert paragraphs(" \n\n ") == []


def test_passage_sentences_are_the_same_however_often_asked_and_whatever_a_caller_does_with_them() -> None:
    """The cut is kept per text (answers ask again and again): a caller's changes to its list stay its own."""
    text = "The council voted 9 to 4. Work starts in May.\n\nCritics called it rushed."
    first = passage_sentences(text)
    assert first == ["The council voted 9 to 4.", "Work starts in May.", "Critics called it rushed."]
    first.append("changed")
    first[0] = "changed"
    assert passage_sentences(text) == [
        "The council voted 9 to 4.",
        "Work starts in May.",
        "Critics called it rushed.",
    ]
    assert passage_sentences("no-spaces-at-all") == ["no-spaces-at-all"]
