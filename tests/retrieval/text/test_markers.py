import re

from retrieval.text import MARKER, MARKER_PATTERN


def test_a_marker_is_a_number_in_square_brackets() -> None:
    text = "Talks resumed [1][12]. Not markers: [x], [ 3], [1,2], (4), [-5]. Last [7]"
    assert MARKER.findall(text) == ["1", "12", "7"]
    assert MARKER.sub("", "A [1] b[2].") == "A  b."


def test_the_pattern_builds_longer_patterns_without_shifting_groups() -> None:
    run = re.compile(rf"((?:{MARKER_PATTERN})+)(\.)")
    match = run.search("Said so [2][3].")
    assert match is not None
    assert match.groups() == ("[2][3]", ".")
