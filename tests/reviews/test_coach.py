"""The blameless-language coach: its rules, its offsets, what it leaves alone, its measured
precision and recall on the labelled sets, and `failwell eval language`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from failwell.cli import main
from failwell.reviews.coach import coach, split_sentences
from failwell.reviews.language_eval import evaluate_file

DATA = Path(__file__).parent / "data"
LABELLED = DATA / "blame_sentences.jsonl"
HOLDOUT = DATA / "blame_holdout.jsonl"


def rule_of(text: str) -> str | None:
    marks = coach(text)
    return marks[0].rule if marks else None


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Bob forgot to renew the certificate.", "person-blamed"),
        ("The on-call engineer failed to check the replication lag.", "person-blamed"),
        ("She didn't verify the backup before deleting the volume.", "person-blamed"),
        ("The DBA dropped the wrong table.", "person-blamed"),
        ("Somebody deleted the record without checking what used it.", "person-blamed"),
        ("Nobody bothered to read the deprecation notice.", "person-blamed"),
        ("He should have escalated sooner.", "hindsight"),
        ("This should have been caught in code review.", "hindsight"),
        ("If Tom had waited for the canary, nothing would have broken.", "counterfactual"),
        ("Had the engineer read the output, the lock would have been spotted.", "counterfactual"),
        ("A simple grep would have found the hostname.", "counterfactual"),
        ("It was a careless edit to the flag file.", "character-judgement"),
        ("Engineers need to be more careful with production.", "character-judgement"),
        ("Root cause: human error during the failover.", "human-error"),
        ("This was a classic case of operator error.", "human-error"),
        ("The outage was caused by Karen editing the zone by hand.", "person-as-cause"),
        ("The root cause was the on-call engineer.", "person-as-cause"),
        ("Frank's typo sent traffic to the wrong region.", "person-as-cause"),
        ("The platform team is to blame for the missing alerts.", "person-as-cause"),
        ("Contributing factor: Steve's unfamiliarity with Kubernetes.", "person-as-factor"),
        ("Maria's inexperience contributed to the delay.", "person-as-cause"),
    ],
)
def test_each_rule_family_marks_blame(text: str, rule: str) -> None:
    assert rule_of(text) == rule


@pytest.mark.parametrize(
    "text",
    [
        # system subjects with the same verbs
        "The health check failed to detect that the node was returning errors.",
        "The deploy failed to roll back because the previous image was gone.",
        "The alert should have fired at 90% but its query missed the new volume.",
        "Kubernetes failed to schedule the pods.",
        "The load balancer ignored the Retry-After header.",
        "The cron job missed its 02:00 run.",
        "The migration tool forgot the column defaults.",
        # people named for what they did right, or for what they did without judgement
        "Priya spotted the spike and paged the database team.",
        "Thanks to Aisha's quick rollback, the impact stayed small.",
        "Diego did not hesitate to declare an incident.",
        "Kate ran the migration at 10:00 as planned.",
        # talk about blame, recommendations, and technical words
        'We do not stop at "human error"; we ask what made the slip likely.',
        "It was not human error: the console had no confirmation step.",
        "Nobody here was careless; the two clusters looked identical.",
        "Instead of asking who should have noticed, we asked why the signal was buried.",
        "We should add an alert on certificate expiry.",
        "The outage could have been much worse at peak.",
        "It should not have been possible to delete the database with one command.",
        "Lazy loading hid the missing variable until the first request.",
        "The database uses a sloppy quorum.",
        "The certificate lapsed at midnight.",
        "Contributing factor: the on-call rotation had two people for a month.",
        "We missed our availability SLO by 0.3%.",
    ],
)
def test_leaves_systems_praise_and_talk_about_blame_alone(text: str) -> None:
    assert coach(text) == [], [m.phrase for m in coach(text)]


def test_a_factor_naming_a_person_is_marked_only_as_a_factor() -> None:
    assert coach("The new hire.", factor=True)[0].rule == "person-as-factor"
    assert coach("Steve", factor=True)[0].rule == "person-as-factor"
    assert coach("No alert on pool saturation.", factor=True) == []
    assert coach("Steve") == []


def test_marks_carry_offsets_reason_and_suggestion() -> None:
    text = (
        "# What went wrong\n\n"
        "- The pool ran dry.\n"
        "- The on-call engineer\n  failed to check the dashboard. Bob's runbook helped.\n\n"
        "```\nBob forgot this in a code block\n```\n"
        "| Bob forgot | in a table |\n"
        "> She should have escalated.\r\n"
    )
    marks = coach(text)
    assert [m.rule for m in marks] == ["person-blamed", "hindsight"]
    first, second = marks
    assert first.sentence == "The on-call engineer failed to check the dashboard."
    assert text[first.start : first.end] == "The on-call engineer\n  failed to check the dashboard."
    assert text[second.start : second.end] == second.sentence == "She should have escalated."
    assert first.phrase == "failed to" and "failed to" in first.reason
    assert "the on-call engineer" in first.suggestion
    assert "what made this easy to miss" in first.suggestion
    for mark in marks:
        assert mark.reason and mark.suggestion


def test_sentence_splitting_skips_headings_and_keeps_list_items_apart() -> None:
    text = "## Impact\nCheckout failed, e.g. for cards. It lasted 3.5 hours!\n1. First item\n2. Second item"
    assert [s.text for s in split_sentences(text)] == [
        "Checkout failed, e.g. for cards.",
        "It lasted 3.5 hours!",
        "First item",
        "Second item",
    ]


def test_long_text_stays_fast_and_bounded() -> None:
    marks = coach("Bob forgot " * 4_500)  # one 50,000-character "sentence": read in pieces
    assert marks and all(m.end - m.start <= 600 for m in marks)


@pytest.mark.parametrize("path", [LABELLED, HOLDOUT], ids=["labelled", "holdout"])
def test_precision_and_recall_targets(path: Path) -> None:
    result = evaluate_file(path)
    assert result["precision"] >= 0.90, result["false_positives"]
    assert result["recall"] >= 0.85, result["false_negatives"]


def test_labelled_sets_are_large_balanced_and_distinct() -> None:
    labelled = [json.loads(line) for line in LABELLED.read_text().splitlines()]
    holdout = [json.loads(line) for line in HOLDOUT.read_text().splitlines()]
    assert len(labelled) >= 220 and len(holdout) >= 40
    for cases in (labelled, holdout):
        share = sum(c["blame"] for c in cases) / len(cases)
        assert 0.4 <= share <= 0.6
    assert not {c["text"] for c in labelled} & {c["text"] for c in holdout}


# ---- failwell eval language -----------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_eval_language_prints_scores_and_misses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = write(
        tmp_path,
        json.dumps({"text": "Bob forgot to renew the certificate.", "blame": True}),
        "",
        json.dumps({"text": "The health check failed to detect the leak.", "blame": False}),
        json.dumps({"text": "The renewal was Bob's job.", "blame": True}),
        json.dumps({"text": "Human error took the site down.", "blame": False}),
    )
    code, out, err = run(capsys, "eval", "language", "--cases", str(cases))
    assert code == 0, err
    assert "precision 0.500  recall 0.500  n 4" in out
    assert "line 4: The renewal was Bob's job." in out
    assert "line 5: Human error took the site down.  [human-error: “Human error”]" in out

    code, out, err = run(capsys, "eval", "language", "--cases", str(cases), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["precision"], result["recall"], result["n"]) == (0.5, 0.5, 4)
    assert result["false_negatives"] == [{"line": 4, "text": "The renewal was Bob's job."}]
    assert result["false_positives"][0]["line"] == 5


def test_eval_language_on_the_labelled_set(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", "language", "--cases", str(LABELLED), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["n"] >= 220 and result["precision"] >= 0.9 and result["recall"] >= 0.85


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"text": "a", "blame": true}', "{oops"], "line 2: not valid JSON"),
        (['["a", true]'], "line 1: expected an object"),
        (['{"text": "a"}'], 'line 1: the field "blame" is missing'),
        (['{"blame": false}'], 'line 1: the field "text" is missing'),
        (['{"text": 3, "blame": true}'], 'line 1: "text" must be a string'),
        (['{"text": "a", "blame": "yes"}'], 'line 1: "blame" must be true or false'),
        (['{"text": "a", "blame": 1}'], 'line 1: "blame" must be true or false'),
        (["", "  "], "holds no cases"),
    ],
)
def test_eval_language_refuses_bad_files_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], message: str
) -> None:
    code, out, err = run(capsys, "eval", "language", "--cases", str(write(tmp_path, *lines)))
    assert code == 1 and out == ""
    assert message in err and err.count("\n") == 1, err


def test_eval_language_refuses_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "eval", "language", "--cases", str(tmp_path / "nope.jsonl"))
    assert code == 1 and "no such cases file" in err and err.count("\n") == 1
    code, _, err = run(capsys, "eval", "language", "--cases", str(tmp_path))
    assert code == 1 and "is a directory" in err


PIECES = [
    *[
        "Bob",
        "forgot",
        "the",
        "engineer",
        "failed",
        "to",
        "check",
        "should",
        "have",
        "Had",
        "if",
        "human",
        "error",
        "no",
        "one",
        "Priya's",
    ],
    *list(",.;:!?-#>*`'\"\u2019\u201c\u201d"),
    " ",
    "\n",
    "\r\n",
    "\n\n",
    "- ",
    "```",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=120).map("".join))
def test_any_text_gives_marks_that_point_into_it(text: str) -> None:
    for mark in coach(text):
        assert 0 <= mark.start < mark.end <= len(text)
        assert text[mark.start] == mark.sentence[0] and text[mark.end - 1] == mark.sentence[-1]
        assert mark.reason and mark.suggestion and mark.phrase
