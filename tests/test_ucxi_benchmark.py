"""The UCXI benchmark keeps running, and the UCXI page keeps up with the command line.

The benchmark's figures are read by people (docs/performance.md), not
asserted here: this only checks that the script runs, prints each ratio, and
that its yardsticks answer what the node answers.
"""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_the_benchmark_prints_its_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(ROOT / "benchmarks" / "bench_ucxi.py"), run_name="bench")
    arguments = ["--count", "50", "--repeat", "1", "--concurrent-requests", "2"]
    assert module["main"](arguments) == 0
    output = capsys.readouterr().out
    assert "vs fixed-JSON WSGI app" in output
    assert "vs ThreadingHTTPServer (HTTP/1.1, Nagle off)" in output
    assert "UCXIServer, fixed-JSON handler" in output
    assert output.count("ratio") == 3
    assert "50 concurrent clients, 2 requests each: 100 answered" in output
    assert "errors = 0 (meets 0)" in output


def test_the_yardsticks_answer_the_nodes_body() -> None:
    module = runpy.run_path(str(ROOT / "benchmarks" / "bench_ucxi.py"), run_name="bench")
    world, app, body = module["node"]()
    try:
        document = json.loads(body)
        assert document["response"]["code"] == "UCXL-200-SUCCESS"
        assert document["response"]["data"]["content_type"] == "application/json"
        assert app.requests == []  # the body's request is not counted
    finally:
        world.close()


def test_the_page_lists_every_option_of_the_command_line() -> None:
    from pytest_bzzz.ucxi.__main__ import parser

    page = (ROOT / "docs" / "ucxi.md").read_text()
    options = [
        option
        for action in parser()._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    ]
    assert len(options) > 10
    missing = [option for option in options if f"`{option}`" not in page]
    assert not missing, f"docs/ucxi.md does not document {missing}"


def test_the_page_lists_every_rule_and_marker_argument() -> None:
    import dataclasses

    from pytest_bzzz import UCXIRules
    from pytest_bzzz.plugin.ucxi import UCXIOptions

    page = (ROOT / "docs" / "ucxi.md").read_text()
    for field in [*dataclasses.fields(UCXIRules), *dataclasses.fields(UCXIOptions)]:
        assert re.search(rf"`{field.name}`", page), field.name
