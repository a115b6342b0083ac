"""The parts of ``make scale-test`` (scripts/scale_test.py) that need neither root nor namespaces: the
checks judge a fabricated run right (each failure it exists to catch is caught), the worker's log is
read into periodic runs, and docs/scale.md is rewritten only between its markers."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location("scale_test", ROOT / "scripts" / "scale_test.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["scale_test"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


scale = _load()
T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def good_state():
    """A run where everything held: 3 people (2 active of capacity 2, one waiting), 2 badges scanned, one
    of them offline earlier at a second station, 3 mails each delivered once, one periodic job."""
    people = {"a@example.org", "b@example.org", "c@example.org"}
    return scale.State(
        capacity=2, active=2, workshops={7: (1, 1), 8: (5, 1)},
        acknowledged=set(people), stored=set(people),
        checkins={1: [T0], 2: [T0]}, scanned={1: [T0 + timedelta(seconds=2), T0], 2: [T0]},
        outbox=[(p, "sent", f"<{i}@congres>") for i, p in enumerate(sorted(people))],
        delivered=[(p, f"<{i}@congres>") for i, p in enumerate(sorted(people))],
        periods=[("congress.mail.tasks.send_due_mail", "2026-12-04T09:00"),
                 ("congress.mail.tasks.send_due_mail", "2026-12-04T09:01")],
        job_runs=[("app1", "congress.mail.tasks.send_due_mail", "2026-12-04T09:00"),
                  ("app2", "congress.mail.tasks.send_due_mail", "2026-12-04T09:01")],
        files={"app2": True, "app3": True},
    )


def by_name(outcome):
    return {c.name.split(" (")[0]: c for c in outcome}


def test_a_run_where_everything_held_passes_every_check():
    outcome = scale.checks(good_state())
    assert [c.label for c in outcome] == ["PASS"] * 7
    assert "edition 2/2" in outcome[0].detail


@pytest.mark.parametrize(("change", "failing"), [
    ({"active": 3}, "0 overbooked"),
    ({"workshops": {7: (1, 2)}}, "0 overbooked"),
    ({"checkins": {1: [T0, T0 + timedelta(seconds=2)]}}, "exactly-once check-in per badge"),
    ({"checkins": {}}, "exactly-once check-in per badge"),
    ({"checkins": {1: [T0 + timedelta(seconds=2)], 2: [T0]}}, "the earliest scan's time wins"),
    ({"stored": {"a@example.org", "b@example.org"}}, "every acknowledged registration is in the database"),
    ({"delivered": [("a@example.org", "<0@congres>"), ("b@example.org", "<1@congres>")]},
     "every confirmation mail delivered exactly once"),
    ({"delivered": [*good_state().delivered, ("a@example.org", "<0@congres>")]},
     "every confirmation mail delivered exactly once"),
    ({"outbox": [("a@example.org", "sent", "<0@congres>"), ("b@example.org", "sent", "<1@congres>"),
                 ("c@example.org", "failed", "<2@congres>")]}, "every confirmation mail delivered exactly once"),
    ({"files": {"app2": True, "app3": False}}, "files written on one host are read on the others"),
    ({"job_runs": [*good_state().job_runs, ("app2", "congress.mail.tasks.send_due_mail", "(unclaimed run 2)")]},
     "periodic jobs ran once per period across hosts"),
    ({"job_runs": [*good_state().job_runs, ("app1", "congress.mail.tasks.send_due_mail", "2026-12-04T09:01")]},
     "periodic jobs ran once per period across hosts"),
])
def test_each_failure_is_caught_by_its_own_check(change, failing):
    outcome = by_name(scale.checks(replace(good_state(), **change)))
    assert outcome[failing.split(" (")[0]].label == "FAIL"
    assert [name for name, c in outcome.items() if c.label == "FAIL"] == [failing.split(" (")[0]]


def test_files_not_checked_is_a_skip_that_says_why_never_a_pass():
    outcome = by_name(scale.checks(replace(good_state(), files=None, files_note="no S3 backend here")))
    check = outcome["files written on one host are read on the others"]
    assert check.label == "SKIP" and check.ok is None and check.detail == "no S3 backend here"


def test_an_empty_run_proves_nothing_and_fails():
    empty = scale.State(capacity=10, active=0, workshops={}, acknowledged=set(), stored=set(), checkins={},
                        scanned={}, outbox=[], delivered=[], periods=[], job_runs=[], files=None)
    labels = {c.name: c.label for c in scale.checks(empty)}
    assert labels["every acknowledged registration is in the database"] == "FAIL"
    assert labels["exactly-once check-in per badge"] == "FAIL"
    assert labels["periodic jobs ran once per period across hosts"] == "FAIL"


def test_the_worker_log_is_read_into_periodic_runs_skipped_runs_left_out():
    text = "\n".join([
        "2026-12-04 09:00:01,1 [12] INFO congress.jobs: job send_due_mail id=aa 0.100s ok sent=3",
        "2026-12-04 09:00:01,2 [12] INFO congress.jobs: job deliver_mail id=bb 0.050s ok sent=1",
        "2026-12-04 09:01:00,3 [12] INFO congress.jobs: job send_due_mail id=cc 0.001s ok "
        "skipped: period 2026-12-04T09:01 ran elsewhere",
        "2026-12-04 09:02:00,4 [12] INFO congress.jobs: job send_due_mail id=dd 0.090s ok",
    ])
    job = "congress.mail.tasks.send_due_mail"
    runs = scale.job_runs_from_log("app1", text, {job: ["2026-12-04T09:00"]})
    assert runs == [("app1", job, "2026-12-04T09:00"), ("app1", job, "(unclaimed run 2)")]


def test_markers_keep_the_rest_of_the_document_byte_for_byte():
    doc = "# Scale\n\nPlan above.\n\n<!-- scale-test:begin -->\nold run\n<!-- scale-test:end -->\n\n## Capacity\nkept\n"
    new = scale.replace_between_markers(doc, "new figures\n| a | b |")
    assert new == ("# Scale\n\nPlan above.\n\n<!-- scale-test:begin -->\nnew figures\n| a | b |\n"
                   "<!-- scale-test:end -->\n\n## Capacity\nkept\n")
    assert scale.replace_between_markers(new, "again") == new.replace("new figures\n| a | b |", "again")


def test_markers_missing_or_reversed_are_an_error_not_an_append():
    with pytest.raises(ValueError, match="scale-test"):
        scale.replace_between_markers("# no markers\n", "x")
    with pytest.raises(ValueError):
        scale.replace_between_markers("<!-- scale-test:end -->\n<!-- scale-test:begin -->\n", "x")


def test_the_document_on_this_checkout_has_its_markers():
    text = (ROOT / "docs" / "scale.md").read_text()
    assert scale.replace_between_markers(text, "x").count("<!-- scale-test:begin -->") == 1


def test_percentiles_of_the_latency_table():
    values = [i / 100 for i in range(1, 101)]
    assert scale.percentile(values, 50) == pytest.approx(0.51, abs=0.011)
    assert scale.percentile(values, 99) == pytest.approx(0.99, abs=0.011)
    assert scale.percentile([], 50) is None


def test_minutes_in_which_a_minute_job_claimed_no_period():
    start, end = datetime(2026, 12, 4, 22, 16, 40, tzinfo=UTC), datetime(2026, 12, 4, 22, 21, 30, tzinfo=UTC)
    got = scale.minutes_without(["2026-12-04T22:17", "2026-12-04T22:20"], start, end)
    assert got == ["2026-12-04T22:18", "2026-12-04T22:19"]  # 22:16 and 22:21 are not whole minutes of the run
