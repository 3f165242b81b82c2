"""Pattern matching: component wildcards, in-segment globs, ``**`` and trailing slashes."""

from __future__ import annotations

import functools
import re
import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pytest_bzzz import MockBZZZ, UCXLAddress, UCXLParseError

from ._ucxl_model import Written, written_addresses

HEAD = "ucxl://a:b@c:d"


def path_matches(pattern: str, path: str) -> bool:
    pattern_text = f"{HEAD}/{pattern}" if pattern else HEAD
    path_text = f"{HEAD}/{path}" if path else HEAD
    return UCXLAddress.parse(pattern_text).matches(path_text)


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        # The reference's own cases.
        ("docs/*", "docs/x", True),
        ("docs/*", "docs/x/", False),
        ("docs/*/", "docs/x/", True),
        ("docs/**", "docs", True),
        ("docs/**", "docs/", True),
        ("docs/**", "docs/a/b.md", True),
        ("", "", True),
        ("", "x", False),
        ("**", "", True),
        ("**", "a/b/c", True),
        ("**", "a/b/", True),
        # Globs inside a segment.
        ("*.md", "readme.md", True),
        ("*.md", "readme.rs", False),
        ("*.md", "docs/readme.md", False),
        ("model-*", "model-gpt4", True),
        ("model-*", "model-", True),
        ("a*b*c", "aXXbYYc", True),
        ("a*b*c", "acb", False),
        ("a**b", "aXb", True),
        ("*", "", False),
        ("*", "x", True),
        ("docs/*", "docs/", False),
        ("*/", "x/", True),
        ("*/", "x", False),
        ("**/", "", False),
        ("**/", "a/b/", True),
        ("**/*.md", "a.md", True),
        ("**/*.md", "x/y/a.md", True),
        ("**/*.md", "x/y/a.rs", False),
        ("src/**/test_*.py", "src/test_a.py", True),
        ("src/**/test_*.py", "src/a/b/test_a.py", True),
        ("src/**/test_*.py", "lib/a/test_a.py", False),
        ("**/b/**", "a/b/c", True),
        ("**/b/**", "a/c", False),
        ("a/**/**/z", "a/z", True),
        ("a/**/**/z", "a/1/2/3/z", True),
        # Literal paths compare exactly, trailing slash included.
        ("docs", "docs", True),
        ("docs", "docs/", False),
        ("docs/", "docs", False),
    ],
)
def test_path_matching(pattern: str, path: str, expected: bool) -> None:
    assert path_matches(pattern, path) is expected


@pytest.mark.parametrize(
    ("pattern", "address", "expected"),
    [
        ("ucxl://any:any@any:any/**", "ucxl://gpt4:architect@bzzz:v2/x.md", True),
        ("ucxl://*:*@*:*/**", "ucxl://gpt4:architect@bzzz:v2", True),
        ("ucxl://any:architect@bzzz:any/**", "ucxl://gpt4:architect@bzzz:v2/x", True),
        ("ucxl://any:architect@bzzz:any/**", "ucxl://gpt4:reviewer@bzzz:v2/x", False),
        ("ucxl://any:any@BZZZ:any/**", "ucxl://gpt4:reviewer@bzzz:v2/x", False),
        ("ucxl://gpt4:any@any:any", "ucxl://gpt4:a@b:c", True),
        ("ucxl://gpt4:any@any:any", "ucxl://gpt4:a@b:c/x", False),
    ],
)
def test_component_matching(pattern: str, address: str, expected: bool) -> None:
    assert UCXLAddress.parse(pattern).matches(address) is expected
    assert UCXLAddress.parse(pattern).matches(UCXLAddress.parse(address)) is expected


def test_temporal_plays_no_part_in_matching() -> None:
    pattern = UCXLAddress.parse("ucxl://any:any@bzzz:any/*~3/docs/*.md")
    assert pattern.matches("ucxl://a:b@bzzz:t/*^/docs/x.md")
    assert pattern.matches("ucxl://a:b@bzzz:t/docs/x.md")


@given(written_addresses(wildcards=False, globs=False))
def test_a_concrete_address_matches_itself_and_only_its_equals(written: Written) -> None:
    address = UCXLAddress.parse(written.text)
    assert not address.is_pattern
    assert address.matches(address)
    assert UCXLAddress.parse("ucxl://any:any@any:any/**").matches(address)
    other = address.replace(task=address.task + "x")
    assert not address.matches(other)


def test_is_pattern() -> None:
    assert UCXLAddress.parse("ucxl://any:b@c:d").is_pattern
    assert UCXLAddress.parse("ucxl://a:b@c:*").is_pattern
    assert UCXLAddress.parse("ucxl://a:b@c:d/x/*.md").is_pattern
    assert UCXLAddress.parse("ucxl://a:b@c:d/**").is_pattern
    assert not UCXLAddress.parse("ucxl://a:b@c:d/*^/x.md").is_pattern


def test_matches_rejects_what_is_not_an_address() -> None:
    pattern = UCXLAddress.parse("ucxl://any:any@any:any/**")
    with pytest.raises(UCXLParseError):
        pattern.matches("not an address")
    with pytest.raises(TypeError, match="takes a UCXLAddress or a str, got int"):
        pattern.matches(42)  # type: ignore[arg-type]


# -- globs match in linear time ------------------------------------------------------------


def glob_by_regex(pattern: str, segment: str) -> bool:
    """The reference: a glob as a regex (exponential on some patterns, fine on small ones)."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return bool(segment) and re.fullmatch(regex, segment, re.DOTALL) is not None


@settings(max_examples=500, derandomize=True)
@given(st.text("ab*", max_size=8), st.text("ab", max_size=10))
def test_an_in_segment_glob_matches_exactly_what_the_regex_matches(pattern: str, segment: str):
    assume("*" in pattern and pattern != "**")  # a "**" segment spans segments
    assert path_matches(pattern, segment) is glob_by_regex(pattern, segment)


ADVERSARIAL = [
    # 13 stars against 40 characters: 103 s with a backtracking regex.
    ("*a" * 13 + "*b", "a" * 40),
    ("*a" * 600 + "*b", "a" * 2900),
    ("**/" + "a/" * 1000 + "b", "/".join(["a"] * 2000) + "/c"),
    ("**/" + "a*/" * 600 + "b", "/".join(["aa"] * 1300) + "/c"),
    ("/".join(["**"] * 1000) + "/b", "/".join(["a"] * 2000)),
]


@pytest.mark.parametrize(("pattern", "path"), ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_patterns_on_addresses_at_the_length_limit_stay_fast(
    pattern: str, path: str
) -> None:
    started = time.perf_counter()
    assert not path_matches(pattern, path)
    # A generous bound: these took from seconds to hours before (the work is linear, or
    # n x m segment tests at most); a regression to backtracking would take far longer.
    assert time.perf_counter() - started < 5


def by_segments(pattern: str, path: str) -> bool:
    """The reference: ``**`` as zero or more whole segments, tried every way (memoised)."""
    tests = pattern.split("/") if pattern else []
    segments = path.split("/") if path else []

    @functools.cache
    def match(t: int, s: int) -> bool:
        if t == len(tests):
            return s == len(segments)
        if tests[t] == "**":
            return match(t + 1, s) or (s < len(segments) and match(t, s + 1))
        if s == len(segments):
            return False
        test, segment = tests[t], segments[s]
        fits = glob_by_regex(test, segment) if "*" in test else test == segment
        return fits and match(t + 1, s + 1)

    return match(0, 0)


PATTERN_SEGMENTS = st.sampled_from(["a", "b", "*", "a*", "*b", "*a*", "**"])
PATH_SEGMENTS = st.sampled_from(["a", "b", "ab", "ba", "bb"])


@settings(max_examples=700, derandomize=True)
@given(
    st.lists(PATTERN_SEGMENTS, max_size=7),
    st.booleans(),
    st.lists(PATH_SEGMENTS, max_size=9),
    st.booleans(),
)
def test_paths_match_exactly_what_the_reference_matches(
    pattern_segments: list[str], pattern_slash: bool, path_segments: list[str], path_slash: bool
) -> None:
    pattern = "/".join(pattern_segments) + ("/" if pattern_slash and pattern_segments else "")
    path = "/".join(path_segments) + ("/" if path_slash and path_segments else "")
    assume(pattern != "**/" and not pattern.startswith("/"))
    assert path_matches(pattern, path) is by_segments(pattern, path)


def test_a_search_over_long_addresses_with_an_adversarial_pattern_stays_fast() -> None:
    bzzz = MockBZZZ(seed=1)
    for index in range(20):  # 20 addresses of about 4 KB, each of 2,000 segments
        bzzz.store(f"{HEAD}/" + "/".join(["a"] * 1990) + f"/n{index}", b"x")
    pattern = f"{HEAD}/**/" + "a/" * 1000 + "b"
    started = time.perf_counter()
    assert bzzz.search(pattern) == []
    # Generous: one such search took 8 s when each match was len(pattern) x len(path).
    assert time.perf_counter() - started < 5


@settings(max_examples=700, derandomize=True)
@given(
    st.lists(st.lists(PATTERN_SEGMENTS.filter(lambda s: s != "**"), min_size=1, max_size=4)),
    st.booleans(),
    st.booleans(),
    st.lists(PATH_SEGMENTS, max_size=10),
)
def test_runs_between_double_stars_match_exactly_what_the_reference_matches(
    runs: list[list[str]], open_start: bool, open_end: bool, path_segments: list[str]
) -> None:
    # Pieces between two '**': found at their leftmost place, one after the other.
    inner = "/**/".join("/".join(run) for run in runs)
    pattern = "/".join(part for part in ("**" * open_start, inner, "**" * open_end) if part)
    path = "/".join(path_segments)
    assert path_matches(pattern, path) is by_segments(pattern, path)


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("**/a/*b/**", "ab", False),  # the second pattern alone fits: not the piece
        ("**/a/*b/**", "b/a/ab/b", True),
        ("**/a/a/b/**", "a/a/a/b", True),  # the leftmost start fails; the next fits
        ("a/**/a", "a", False),  # head and tail may not share a segment
        ("**/b/**/a/**", "a/b", False),  # in order
    ],
)
def test_pieces_between_double_stars(pattern: str, path: str, expected: bool) -> None:
    assert path_matches(pattern, path) is expected
    assert by_segments(pattern, path) is expected
