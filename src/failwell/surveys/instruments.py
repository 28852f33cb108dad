"""The two published instruments, shipped as data with their sources (docs/culture-surveys.md).

Item texts are failwell's own wording, kept close to the published meaning; the sources give the
original wording. Every item is answered on the same 7-point agreement scale.
"""

from __future__ import annotations

from dataclasses import dataclass

SCALE_MIN, SCALE_MAX = 1, 7
SCALE_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Somewhat disagree",
    4: "Neither agree nor disagree",
    5: "Somewhat agree",
    6: "Agree",
    7: "Strongly agree",
}
FREE_TEXT_QUESTION = "What would make it safer to speak up here?"
MAX_CUSTOM_ITEMS = 10
MAX_FREE_TEXT = 2000


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    reverse: bool = False  # scored as 8 - answer, so that higher always means healthier


@dataclass(frozen=True)
class Instrument:
    key: str
    name: str
    stem: str  # shown before every item
    items: tuple[Item, ...]
    source: str
    source_url: str
    scoring: str

    def score(self, answers: dict[str, int]) -> float:
        """The respondent's scale score: the mean of the (reverse-scored where due) items."""
        values = [SCALE_MAX + SCALE_MIN - answers[i.key] if i.reverse else answers[i.key] for i in self.items]
        return sum(values) / len(values)


WESTRUM = Instrument(
    key="westrum",
    name="Organisational culture (Westrum)",
    stem="On my team…",
    items=(
        Item("westrum_1", "people actively look for the information they need, and it reaches them."),
        Item("westrum_2", "people who bring bad news are not punished; failures are chances to learn."),
        Item("westrum_3", "responsibilities are shared."),
        Item("westrum_4", "working across teams and functions is encouraged and rewarded."),
        Item(
            "westrum_5", "a failure leads to an inquiry into what happened, not a hunt for someone to blame."
        ),
        Item("westrum_6", "new ideas are welcome."),
        Item("westrum_7", "failures are used first of all to improve the system."),
    ),
    source=(
        "Westrum, R. (2004). A typology of organisational cultures. Quality and Safety in Health Care, "
        "13(suppl 2), ii22-ii27; as measured with Likert items by DORA: Forsgren, N., Humble, J. & "
        "Kim, G. (2018). Accelerate. IT Revolution."
    ),
    source_url="https://doi.org/10.1136/qshc.2003.009522",
    scoring="Mean of the seven answers (1 = strongly disagree … 7 = strongly agree).",
)

SAFETY = Instrument(
    key="safety",
    name="Team psychological safety (Edmondson)",
    stem="On this team…",
    items=(
        Item("safety_1", "when someone makes a mistake, it is often held against them.", reverse=True),
        Item("safety_2", "people can raise problems and difficult issues."),
        Item("safety_3", "people sometimes shut others out for being different.", reverse=True),
        Item("safety_4", "it is safe to take a risk."),
        Item("safety_5", "it is hard to ask others for help.", reverse=True),
        Item("safety_6", "nobody would knowingly act to undermine my work."),
        Item("safety_7", "my own skills and talents are valued and put to use."),
    ),
    source=(
        "Edmondson, A. (1999). Psychological Safety and Learning Behavior in Work Teams. "
        "Administrative Science Quarterly, 44(2), 350-383."
    ),
    source_url="https://doi.org/10.2307/2666999",
    scoring="Mean of the seven answers, items 1, 3 and 5 reverse-scored (8 minus the answer).",
)

INSTRUMENTS: dict[str, Instrument] = {WESTRUM.key: WESTRUM, SAFETY.key: SAFETY}

# Westrum's three types from the mean culture score. The cut points are failwell's convention
# (Westrum and DORA name the types but publish no thresholds on this scale).
PATHOLOGICAL_BELOW = 3.5
GENERATIVE_ABOVE = 5.5
WESTRUM_TYPES = {
    "pathological": "Power-oriented: information is hoarded, messengers are punished, failure brings blame.",
    "bureaucratic": (
        "Rule-oriented: information goes through channels, messengers are tolerated, failure means sanctions."
    ),
    "generative": "Performance-oriented: information flows, messengers are welcomed, failure means inquiry.",
}


def westrum_type(mean: float | None) -> str | None:
    if mean is None:
        return None
    if mean < PATHOLOGICAL_BELOW:
        return "pathological"
    if mean > GENERATIVE_ABOVE:
        return "generative"
    return "bureaucratic"
