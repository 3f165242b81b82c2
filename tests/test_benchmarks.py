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
