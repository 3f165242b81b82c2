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
    for label in ("yardstick re.fullmatch", "parse, fully validated", "format, str()"):
        assert label in output
    assert output.count("ratio") == 2
    assert "slowest 1 MB input" in output


def test_dht_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(BENCHMARKS / "bench_dht.py"), run_name="bench")
    arguments = ["--count", "300", "--repeat", "1", "--memory-count", "300"]
    arguments += ["--sequential", "20", "--concurrent", "50", "--overhead-repeat", "0"]
    assert module["main"](arguments) == 0
    output = capsys.readouterr().out
    assert output.count("vs locked dict") == 2
    for label in ("sequential awaited ops", "concurrent ops (gather)", "memory, 300 64-byte"):
        assert label in output


def test_bzzz_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(BENCHMARKS / "bench_bzzz.py"), run_name="bench")
    arguments = ["--count", "200", "--repeat", "1", "--search-count", "500"]
    assert module["main"]([*arguments, "--memory-count", "200"]) == 0
    output = capsys.readouterr().out
    assert output.count("vs JSON+dict") == 2
    for label in ("a concrete agent", "a concrete project", "all wildcards", "memory per stored"):
        assert label in output


def test_strategy_benchmark_prints_its_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(BENCHMARKS / "bench_strategies.py"), run_name="bench")
    assert module["main"](["--examples", "20", "--repeat", "1", "--calls", "200"]) == 0
    output = capsys.readouterr().out
    assert "@given tests of 20 examples" in output
    for label in ("yardstick urls()", "ucxl_addresses()", 'ucxl_strings(form="any")'):
        assert label in output
    assert output.count("ratio") == 2
    assert "fake.ucxl_address()" in output
