"""The Faker provider and the ``bzzz_faker`` fixture: valid, realistic, reproducible data."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

import pytest
from faker import Faker

from pytest_bzzz import Temporal, UCXLAddress
from pytest_bzzz.faker import UCXLProvider

DRAWS = 2000
COMPONENT = re.compile(r"[A-Za-z0-9_-]+")
FILE_NAME = re.compile(r"[A-Za-z0-9_-]+\.[a-z]+")


@pytest.fixture
def fake() -> Faker:
    """A seeded Faker: every count below is over the same draws on every run."""
    fake = Faker()
    fake.add_provider(UCXLProvider)
    fake.seed_instance(1234)
    return fake


def many(make: Callable[[], str]) -> list[str]:
    return [make() for _ in range(DRAWS)]


def test_addresses_are_valid_canonical_and_concrete(fake: Faker) -> None:
    for text in many(fake.ucxl_address):
        address = UCXLAddress.parse(text, strict=True)
        assert not address.is_pattern


def test_addresses_come_in_every_realistic_shape(fake: Faker) -> None:
    addresses = [UCXLAddress.parse(text) for text in many(fake.ucxl_address)]
    assert {a.temporal is None for a in addresses} == {True, False}
    assert {a.path == "" for a in addresses} == {True, False}
    assert {a.temporal.kind for a in addresses if a.temporal} == {
        "latest",
        "earliest",
        "version",
        "back",
        "forward",
        "at",
    }
    assert len(set(addresses)) > DRAWS * 0.9


@pytest.mark.parametrize("temporal", [True, False])
@pytest.mark.parametrize("path", [True, False])
def test_address_parts_can_be_asked_for(fake: Faker, temporal: bool, path: bool) -> None:
    for _ in range(200):
        address = UCXLAddress.parse(fake.ucxl_address(temporal=temporal, path=path))
        assert (address.temporal is not None) is temporal
        assert bool(address.path) is path


@pytest.mark.parametrize("name", ["temporal", "path"])
def test_address_flags_must_be_bools(fake: Faker, name: str) -> None:
    with pytest.raises(TypeError) as caught:
        fake.ucxl_address(**{name: "yes"})
    assert str(caught.value) == (
        f"ucxl_address({name}=...) must be True, False or None (either), got str 'yes'"
    )


def test_address_flags_are_keyword_only(fake: Faker) -> None:
    # fake.ucxl_address(True, False) would not say which flag is which.
    parameters = inspect.signature(UCXLProvider.ucxl_address).parameters
    assert [p.kind for p in parameters.values()][1:] == [inspect.Parameter.KEYWORD_ONLY] * 2
    with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
        fake.ucxl_address(True)
    with pytest.raises(TypeError, match="takes 1 positional argument but 3 were given"):
        fake.ucxl_address(False, True)


@pytest.mark.parametrize(
    ("method", "typical"),
    [
        ("ucxl_agent", {"claude", "gpt4"}),
        ("ucxl_role", {"architect", "reviewer"}),
        ("ucxl_project", {"bzzz", "chorus"}),
        ("ucxl_model", {"claude-3-5-sonnet", "gpt-4o"}),
        ("ucxl_capability", {"code-review", "planning"}),
    ],
)
def test_names_are_valid_components_and_look_real(
    fake: Faker, method: str, typical: set[str]
) -> None:
    values = many(getattr(fake, method))
    for value in values:
        assert COMPONENT.fullmatch(value)
        assert value != "any"
        UCXLAddress(value, value, value, value)
    assert typical <= set(values)


def test_tasks_are_valid_components_of_several_shapes(fake: Faker) -> None:
    tasks = many(fake.ucxl_task)
    for task in tasks:
        assert COMPONENT.fullmatch(task)
        assert task != "any"
    assert any(re.fullmatch(r"issue-[0-9]+", task) for task in tasks)
    assert any(re.fullmatch(r"v[0-9]-migration", task) for task in tasks)
    assert any(task.count("-") >= 2 for task in tasks)


def test_paths_look_like_files(fake: Faker) -> None:
    paths = many(fake.ucxl_path)
    for path in paths:
        UCXLAddress("a", "b", "c", "d", path=path)
        assert "*" not in path
        assert FILE_NAME.fullmatch(path.rsplit("/", 1)[-1])
    assert {path.count("/") for path in paths} == {0, 1, 2, 3}
    assert any(path.startswith(("src/", "decisions/", "docs/")) for path in paths)


@pytest.mark.parametrize("depth", [0, 1, 4])
def test_path_depth_can_be_asked_for(fake: Faker, depth: int) -> None:
    for _ in range(50):
        assert fake.ucxl_path(depth=depth).count("/") == depth


@pytest.mark.parametrize(
    ("depth", "shown"), [(1.5, "float 1.5"), ("2", "str '2'"), (True, "bool True")]
)
def test_path_depth_of_the_wrong_type_is_a_type_error(
    fake: Faker, depth: object, shown: str
) -> None:
    with pytest.raises(TypeError) as caught:
        fake.ucxl_path(depth=depth)  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"ucxl_path(depth=...) must be an int, 0 or more, or None (random), got {shown}"
    )


def test_a_negative_path_depth_is_a_value_error(fake: Faker) -> None:
    with pytest.raises(ValueError, match=r"^ucxl_path") as caught:
        fake.ucxl_path(depth=-1)
    assert str(caught.value) == (
        "ucxl_path(depth=...) must be an int, 0 or more, or None (random), got -1"
    )


def test_temporal_selectors_are_canonical_tokens(fake: Faker) -> None:
    tokens = many(fake.ucxl_temporal)
    for token in tokens:
        assert str(Temporal.parse(token)) == token
    assert {Temporal.parse(token).kind for token in tokens} == {
        "latest",
        "earliest",
        "version",
        "back",
        "forward",
        "at",
    }
    assert max(tokens, key=tokens.count) == "*^"


def test_patterns_are_valid_canonical_patterns(fake: Faker) -> None:
    patterns = many(fake.ucxl_pattern)
    for text in patterns:
        pattern = UCXLAddress.parse(text, strict=True)
        assert pattern.is_pattern
    assert any("/**" in text for text in patterns)
    assert any("any:any" in text for text in patterns)
    assert any("*" not in text for text in patterns)  # a wildcard component alone


def test_the_same_seed_gives_the_same_data() -> None:
    def data(seed: int) -> list[str]:
        fake = Faker()
        fake.add_provider(UCXLProvider)
        fake.seed_instance(seed)
        return [fake.ucxl_address() for _ in range(20)] + [fake.ucxl_pattern()]

    assert data(7) == data(7)
    assert data(7) != data(8)


# -- The bzzz_faker fixture ----------------------------------------------------


def printed(result: pytest.RunResult, label: str) -> str:
    """What an inner test printed after ``label`` (with ``-s``, on its progress line)."""
    lines = [line for line in result.outlines if f"{label}:" in line]
    assert len(lines) == 1, result.outlines
    return lines[0].split(f"{label}:", 1)[1]


def test_bzzz_faker_is_reproducible_from_the_bzzz_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_bzzz import UCXLAddress

        def test_one(bzzz_faker):
            addresses = [bzzz_faker.ucxl_address() for _ in range(3)]
            for text in addresses:
                UCXLAddress.parse(text, strict=True)
            print("TEST-ONE:", addresses)

        def test_two(bzzz_faker):
            print("TEST-TWO:", [bzzz_faker.ucxl_address() for _ in range(3)])

        @pytest.mark.bzzz(seed=5)
        def test_fixed(bzzz_faker):
            print("TEST-FIXED:", [bzzz_faker.ucxl_address() for _ in range(3)])
        """
    )
    runs = [pytester.runpytest("-s", f"--bzzz-seed={seed}") for seed in (11, 11, 12)]
    for result in runs:
        result.assert_outcomes(passed=3)
    first, again, other = (
        {label: printed(r, label) for label in ("TEST-ONE", "TEST-TWO", "TEST-FIXED")} for r in runs
    )
    assert first == again  # the same session seed gives the same data
    assert first["TEST-ONE"] != other["TEST-ONE"]  # another session seed, other data
    assert first["TEST-ONE"] != first["TEST-TWO"]  # each test has its own
    assert first["TEST-FIXED"] == other["TEST-FIXED"]  # a seed fixed by the marker holds


def test_fakers_own_fixture_can_follow_the_bzzz_seed(pytester: pytest.Pytester) -> None:
    # The recipe in docs/property-testing.md: Faker's `faker` fixture, given
    # the provider and seeded from the test's bzzz seed.
    pytester.makeconftest(
        """
        import pytest
        from pytest_bzzz.faker import UCXLProvider

        @pytest.fixture
        def faker(faker, bzzz_network):
            if not hasattr(faker, "ucxl_address"):  # one Faker serves the whole session
                faker.add_provider(UCXLProvider)
            faker.seed_instance(bzzz_network.seed)
            return faker
        """
    )
    pytester.makepyfile(
        """
        def test_print(faker):
            print("ADDRESSES:", [faker.ucxl_address() for _ in range(3)])

        def test_the_provider_is_added_once(faker):
            assert sum(type(p).__name__ == "UCXLProvider" for p in faker.get_providers()) == 1
        """
    )
    runs = [pytester.runpytest("-s", f"--bzzz-seed={seed}") for seed in (21, 21, 22)]
    for result in runs:
        result.assert_outcomes(passed=2)
    first, again, other = (printed(result, "ADDRESSES") for result in runs)
    assert first == again
    assert first != other


# -- ucxl_faker's seed and ucxl_path's depth, checked -----------------------------------------


@pytest.mark.parametrize(
    ("seed", "error", "got"),
    [("1", TypeError, "str '1'"), (1.5, TypeError, "float 1.5"), (True, TypeError, "bool True"),
     (-1, ValueError, "-1"), (2**32, ValueError, "4294967296")],
)  # fmt: skip
def test_ucxl_faker_checks_its_seed_as_a_world_does(
    seed: object, error: type[Exception], got: str
) -> None:
    from pytest_bzzz import World
    from pytest_bzzz.faker import ucxl_faker

    with pytest.raises(error) as caught:
        ucxl_faker(seed)  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"ucxl_faker(seed=...) must be an int from 0 to 4294967295, or None, got {got}"
    )
    with pytest.raises(error):  # the same kind of error as the world's
        World(seed=seed)  # type: ignore[arg-type]


def test_ucxl_faker_takes_every_seed_a_world_takes() -> None:
    from pytest_bzzz._kernel.seeds import SEED_LIMIT
    from pytest_bzzz.faker import _SEED_LIMIT, ucxl_faker

    assert _SEED_LIMIT == SEED_LIMIT
    for seed in (0, SEED_LIMIT - 1, None):
        assert ucxl_faker(seed).ucxl_address().startswith("ucxl://")


def test_a_path_too_deep_for_any_address_is_a_value_error(fake: Faker) -> None:
    from pytest_bzzz import MAX_LENGTH
    from pytest_bzzz.faker import _MAX_DEPTH

    with pytest.raises(ValueError, match="at most") as caught:
        fake.ucxl_path(10**6)
    assert str(caught.value) == (
        f"ucxl_path(depth=...) must be at most {_MAX_DEPTH}, got 1000000: an address holds at "
        f"most {MAX_LENGTH:,} characters, and a path of more directories may not fit in one"
    )
    with pytest.raises(ValueError, match="at most"):
        fake.ucxl_path(_MAX_DEPTH + 1)


def test_the_deepest_path_fits_in_the_longest_address_the_provider_writes(fake: Faker) -> None:
    from pytest_bzzz import MAX_LENGTH
    from pytest_bzzz import faker as provider

    assert provider._MAX_LENGTH == MAX_LENGTH
    longest = {
        name: max(getattr(provider, f"_{name}"), key=len)
        for name in ("AGENTS", "ROLES", "PROJECTS", "DIRECTORIES", "STEMS", "EXTENSIONS")
    }
    task = "x" * provider._LONGEST_TASK
    path = "/".join([longest["DIRECTORIES"]] * provider._MAX_DEPTH)
    text = (
        f"ucxl://{longest['AGENTS']}:{longest['ROLES']}@{longest['PROJECTS']}:{task}"
        f"/*@2026-12-31T23:59:59Z/{path}/{longest['STEMS']}{longest['EXTENSIONS']}"
    )
    assert len(text) <= MAX_LENGTH
    assert str(UCXLAddress.parse(text)) == text
    for _ in range(20):
        address = UCXLAddress.parse(f"ucxl://a:b@c:d/{fake.ucxl_path(provider._MAX_DEPTH)}")
        assert address.path.count("/") == provider._MAX_DEPTH
