"""The pytest plugin as users meet it: registration, opting out, assertion messages."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_plugin_is_registered_under_the_name_bzzz(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_registered(pytestconfig):
            assert pytestconfig.pluginmanager.has_plugin("bzzz")
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_bzzz import UCXLAddress

        def test_disabled(pytestconfig):
            assert not pytestconfig.pluginmanager.has_plugin("bzzz")

        def test_addresses_compare_plainly():
            assert UCXLAddress.parse("ucxl://a:b@c:d/x") == UCXLAddress.parse("ucxl://a:b@c:d/y")
        """
    )
    result = pytester.runpytest("-p", "no:bzzz")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.no_fnmatch_line("*Differing UCXLAddress fields*")


def test_failed_address_equality_names_the_differing_fields(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_bzzz import UCXLAddress

        def test_compare():
            expected = UCXLAddress.parse("ucxl://gpt4:architect@bzzz:v2/*^/decisions/api.md")
            actual = UCXLAddress.parse("ucxl://gpt4:architect@bzzz:v3/*~2/decisions/api.md")
            assert actual == expected
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*Differing UCXLAddress fields:",
            "*  task: 'v3' != 'v2'",
            "*  temporal: '*~2' != '*^'",
        ]
    )
    result.stdout.no_fnmatch_line("*  agent:*")
    result.stdout.no_fnmatch_line("*  path:*")


def test_failed_temporal_equality_names_the_differing_fields(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_bzzz import Temporal

        def test_compare():
            assert Temporal.parse("*~3") == Temporal.parse("~~3")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Differing Temporal fields:", "*  kind: 'version' != 'back'"])
    result.stdout.no_fnmatch_line("*  n:*")


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ('UCXLAddress.parse("ucxl://a:b@c:d") == "ucxl://a:b@c:d"', "UCXLAddress"),
        ('"*^" == Temporal.parse("*^")', "Temporal"),
    ],
)
def test_comparing_with_a_string_gets_a_hint(
    pytester: pytest.Pytester, expression: str, kind: str
) -> None:
    pytester.makepyfile(
        f"""
        from pytest_bzzz import Temporal, UCXLAddress

        def test_compare():
            assert {expression}
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*A {kind} never equals a str*", f"*{kind}.parse(*"])


def test_other_comparisons_are_left_to_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_bzzz import UCXLAddress

        def test_order():
            assert UCXLAddress.parse("ucxl://b:b@c:d") < UCXLAddress.parse("ucxl://a:b@c:d")

        def test_with_a_number():
            assert UCXLAddress.parse("ucxl://b:b@c:d") == 3

        def test_plain():
            assert [1, 2] == [1, 3]
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=3)
    result.stdout.no_fnmatch_line("*Differing*")
    result.stdout.no_fnmatch_line("*never equals*")
    result.stdout.fnmatch_lines(["*At index 1 diff: 2 != 3*"])


def test_help_lists_the_options(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*--bzzz-seed=N|last*", "*--bzzz-failure-rate=FAILURE_RATE*"])
