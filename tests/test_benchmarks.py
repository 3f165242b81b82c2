"""The benchmark scripts keep working (their figures are read by people, not asserted here)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def test_address_benchmark_prints_its_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(BENCHMARKS / "bench_addresses.py"), run_name="bench")
    assert module["main"](["--count", "400", "--repeat", "1"]) == 0
    output = capsys.readouterr().out
    assert "400 distinct addresses" in output
    for label in ("realistic mix: yardstick re.fullmatch", "distinct tokens: yardstick"):
        assert label in output
    assert output.count("token cache hits") == 2
    assert "token cache hits 0 of" in output  # the distinct tokens never hit the cache
    for label in (
        "parse, realistic mix",
        "parse, mix, no cache",
        "parse, distinct tokens",
        "format, str()",
    ):
        assert label in output
    assert output.count("ratio") == 4
    assert "slowest 1 MB input" in output
    from pytest_bzzz._ucxl import address

    assert hasattr(address.parse_token, "cache_info")  # the cache is back in the parser


def test_distinct_tokens_mix_has_a_token_of_its_own_in_every_address_that_has_one() -> None:
    module = runpy.run_path(str(BENCHMARKS / "bench_addresses.py"), run_name="bench")
    from pytest_bzzz import UCXLAddress

    texts = module["distinct_tokens_mix"](2000)
    tokens = [
        str(address.temporal)
        for address in map(UCXLAddress.parse, texts)
        if address.temporal is not None
    ]
    assert len(tokens) > len(texts) / 2
    assert len(set(tokens)) == len(tokens)


def test_dht_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(BENCHMARKS / "bench_dht.py"), run_name="bench")
    arguments = ["--count", "300", "--repeat", "1", "--memory-count", "300"]
    arguments += ["--sequential", "20", "--concurrent", "50", "--overhead-repeat", "0"]
    assert module["main"](arguments) == 0
    output = capsys.readouterr().out
    assert output.count("vs locked dict") == 2
    for label in ("sequential awaited ops", "concurrent ops (gather)", "memory, 300 64-byte"):
        assert label in output


def test_dht_benchmark_suites_for_the_fixture_cost_pass(pytester: pytest.Pytester) -> None:
    """The two suites whose per-test cost the benchmark compares run and pass."""
    module = runpy.run_path(str(BENCHMARKS / "bench_dht.py"), run_name="bench")
    pytester.makeconftest(module["DICT_FIXTURE"])
    pytester.makepyfile(test_dict=module["dict_suite"](3), test_mock=module["mock_suite"](3))
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=6)


def test_bzzz_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(BENCHMARKS / "bench_bzzz.py"), run_name="bench")
    arguments = ["--count", "200", "--repeat", "1", "--search-count", "500"]
    assert module["main"]([*arguments, "--memory-count", "200"]) == 0
    output = capsys.readouterr().out
    assert output.count("vs parse+dict of records") == 2
    assert output.count("vs dict of records") == 2
    for label in ("a concrete agent", "a concrete project", "all wildcards", "memory per stored"):
        assert label in output


def test_bzzz_benchmark_yardsticks_keep_what_the_mock_keeps() -> None:
    module = runpy.run_path(str(BENCHMARKS / "bench_bzzz.py"), run_name="bench")
    from pytest_bzzz import MockBZZZ

    address = "ucxl://gpt4:architect@bzzz:v2/decisions/api.json"
    with MockBZZZ(seed=1) as bzzz:
        envelope = bzzz.store(address, module["CONTENT"])
    for yardstick in (module["LockedRecords"](), module["ParsedRecords"]()):
        record = yardstick.store(address, module["CONTENT"])
        assert yardstick.retrieve(address) is record
        text, content, content_type, digest, metadata, version, timestamp = record
        assert text == str(envelope.address.with_temporal(None))
        assert digest is None  # computed when asked for, on both sides
        assert (content, content_type, dict(metadata)) == (
            envelope.content,
            envelope.content_type,
            dict(envelope.metadata),
        )
        assert (version, timestamp) == (envelope.version, envelope.timestamp)


def test_strategy_benchmark_prints_its_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(BENCHMARKS / "bench_strategies.py"), run_name="bench")
    assert module["main"](["--examples", "20", "--repeat", "1", "--calls", "200"]) == 0
    output = capsys.readouterr().out
    assert "@given tests of 20 examples" in output
    for label in (
        "yardstick from_regex(grammar)",
        "yardstick urls()",
        "ucxl_addresses()",
        'ucxl_strings(form="any")',
    ):
        assert label in output
    assert output.count("ratio") == 4
    assert "fake.ucxl_address()" in output


def test_cluster_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(BENCHMARKS / "bench_cluster.py"), run_name="bench")
    assert module["main"](["--peers", "300", "--count", "50", "--repeat", "1"]) == 0
    output = capsys.readouterr().out
    assert "worlds of 300 peers" in output
    assert "making 300 peers:" in output
    assert "memory a peer:" in output
    assert "put+get among 300 peers:" in output
    assert "(3 lookup rounds each)" in output
    assert "store+retrieve among 300 peers:" in output
    assert "electing a leader among 300 peers:" in output
    assert "48 h with a leader among 300 peers:" in output
    assert output.count("ratio") == 6
