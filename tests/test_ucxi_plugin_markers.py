"""The ``ucxi`` marker: what it sets, which marker wins, and what it says about bad input."""

from __future__ import annotations

# Imported here, before any in-process pytester run: httpx imports httpcore on first use, and
# a run that did so would unload it, leaving httpx mapping the errors of a module no longer
# in use (a later test would then see httpcore.ReadTimeout rather than httpx.ReadTimeout).
import httpcore  # noqa: F401
import httpx  # noqa: F401
import pytest

from tests._plugin_helpers import literal

SIGNATURE = (
    "ucxi(*, rules=UCXIRules(), latency_scale=1.0, record_requests=10000, fail_on_errors=True)"
)
ACCEPTED = "accepted: rules, latency_scale, record_requests, fail_on_errors"


def test_the_marker_sets_the_nodes_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx
        import pytest
        from pytest_bzzz import UCXIRules

        def get(app, path):
            with httpx.Client(transport=httpx.WSGITransport(app=app)) as client:
                return client.get("http://node" + path)

        @pytest.mark.ucxi(rules=UCXIRules(base_path="/v2", success_code="UCXL-200-OK"))
        def test_rules(ucxi_app):
            assert get(ucxi_app, "/v2/health").json()["response"]["code"] == "UCXL-200-OK"

        @pytest.mark.ucxi(rules={"base_path": ""}, record_requests=2)
        def test_rules_as_a_dict_and_a_record_limit(ucxi_app):
            for _ in range(3):
                get(ucxi_app, "/health")
            assert len(ucxi_app.requests) == 2 and ucxi_app.record_requests == 2

        @pytest.mark.ucxi(latency_scale=2.5)
        def test_latency_scale(ucxi_server):
            assert ucxi_server.latency_scale == 2.5

        def test_defaults(ucxi_server, ucxi_app):
            assert ucxi_server.latency_scale == 1.0
            assert ucxi_app.record_requests == 10_000
            assert ucxi_app.rules.base_path == "/ucxi/v1"
        """
    )
    pytester.runpytest().assert_outcomes(passed=4)


def test_the_closest_marker_wins_key_by_key(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.ucxi(latency_scale=0, record_requests=5)

        @pytest.mark.ucxi(record_requests=7, fail_on_errors=False)
        class TestNode:
            @pytest.mark.ucxi(record_requests=9)
            def test_method(self, ucxi_server, ucxi_app):
                assert ucxi_app.record_requests == 9  # the test's own
                assert ucxi_server.latency_scale == 0  # the module's

            def test_other(self, ucxi_app):
                assert ucxi_app.record_requests == 7  # the class's

        def test_module_level(ucxi_app):
            assert ucxi_app.record_requests == 5
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


@pytest.mark.parametrize(
    ("marker", "problem"),
    [
        ("ucxi(2)", f"takes 0 positional arguments; the signature is {SIGNATURE}"),
        ("ucxi(latency=2)", f"unknown argument 'latency'; {ACCEPTED}"),
        (
            "ucxi(latency_scale=-1)",
            "latency_scale: expected a number, 0 or more (the real seconds a server spends per "
            "simulated second; 0 answers at once), got -1",
        ),
        ('ucxi(latency_scale="x")', "latency_scale: expected a number, 0 or more (*), got 'x'"),
        ("ucxi(latency_scale=True)", "latency_scale: expected a number, 0 or more (*), got True"),
        (
            "ucxi(record_requests=-5)",
            "record_requests: expected a whole number, 0 or more (0 records none), got -5",
        ),
        ("ucxi(record_requests=1.5)", "record_requests: expected a whole number, * got 1.5"),
        ('ucxi(fail_on_errors="no")', "fail_on_errors: expected True or False, got 'no'"),
        (
            'ucxi(rules="strict")',
            "rules: expected a pytest_bzzz.UCXIRules (or a dict of its fields), got str 'strict'",
        ),
        (
            'ucxi(rules={"base_path": "ucxi"})',
            "rules: UCXIRules base_path must start with '/' and not end with one (or be '' for "
            "none), got 'ucxi'",
        ),
        (
            'ucxi(rules={"colour": "red"})',
            "rules: no field 'colour' in UCXIRules; its fields are base_path, success_code, *",
        ),
        (
            'ucxi(rules={"base_pth": "/v2"})',
            "rules: no field 'base_pth' in UCXIRules; did you mean 'base_path'? its fields are *",
        ),
    ],
)  # fmt: skip
def test_bad_marker_input_fails_that_test_only_and_says_what_is_accepted(
    pytester: pytest.Pytester, marker: str, problem: str
) -> None:
    pytester.makepyfile(
        test_bad=f"""
        import pytest

        @pytest.mark.{marker}
        def test_x(ucxi_app):
            pass

        def test_other(ucxi_app):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    written = marker.replace('"', "'")  # the message shows the arguments' repr
    prefix = literal(f"bzzz: @pytest.mark.{written} on test_x: ")
    result.stdout.fnmatch_lines(
        ["*_ ERROR at setup of test_x _*", prefix + literal_but_stars(problem)]
    )
    text = result.stdout.str()
    assert "Traceback" not in text
    assert "pytest_bzzz/plugin" not in text  # no frame of the plugin


def literal_but_stars(text: str) -> str:
    """``literal(text)``, but each ``*`` still matches anything."""
    return "*".join(literal(part) for part in text.split("*"))


def test_a_bad_marker_on_a_class_or_module_names_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_module="""
        import pytest

        pytestmark = pytest.mark.ucxi(record_requests=-1)

        def test_a(ucxi_app):
            pass
        """,
        test_class="""
        import pytest

        @pytest.mark.ucxi(latency_scale="x")
        class TestNode:
            def test_b(self, ucxi_server):
                pass
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            literal("bzzz: @pytest.mark.ucxi(latency_scale='x') on class TestNode: ")
            + "latency_scale: *",
            literal("bzzz: @pytest.mark.ucxi(record_requests=-1) on module test_module.py: ")
            + "record_requests: *",
        ],
        consecutive=False,
    )


def test_a_long_value_is_shortened_in_the_message(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_bzzz import UCXIRules

        @pytest.mark.ucxi(rules=UCXIRules(), latency_scale=-2)
        def test_x(ucxi_app):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            literal("bzzz: @pytest.mark.ucxi(rules=UCXIRules(...), latency_scale=-2) on test_x: ")
            + "*"
        ]
    )


def test_a_marker_on_a_test_without_a_node_is_checked_and_warned_about(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ucxi(latency_scale=0)
        def test_unused():
            pass

        @pytest.mark.ucxi(latency_scale=-1)
        def test_bad_and_unused():
            pass

        @pytest.mark.ucxi(record_requests=1)
        class TestSome:
            def test_without(self):  # a class's marker: no warning
                pass

            def test_with(self, ucxi_app):
                assert ucxi_app.record_requests == 1
        """
    )
    result = pytester.runpytest("-W", "default::pytest_bzzz.plugin.BzzzMarkerWarning")
    result.assert_outcomes(passed=3, errors=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            literal("bzzz: @pytest.mark.ucxi(latency_scale=-1) on test_bad_and_unused: ") + "*",
            "*BzzzMarkerWarning: @pytest.mark.ucxi has no effect: the test uses no fake UCXI "
            "node (it requests none of ucxi_app, ucxi_server and ucxi_session_server); request "
            "one, or remove the marker",
        ],
        consecutive=False,
    )


def test_the_world_s_markers_are_checked_before_the_ucxi_marker(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ucxi(latency_scale=-1)
        @pytest.mark.flaky_network(2)
        def test_two_bad_markers():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*bzzz: @pytest.mark.flaky_network(2)*"])
    result.stdout.no_fnmatch_line("*latency_scale*")
