"""Request and response bodies of the blameless-language coach."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from failwell.fields import InputModel, YesNo
from failwell.reviews.coach import MAX_TEXT

RuleId = Literal[
    "person-blamed",
    "hindsight",
    "counterfactual",
    "character-judgement",
    "human-error",
    "person-as-cause",
    "person-as-factor",
]


class LanguageIn(InputModel):
    text: Annotated[str, StringConstraints(max_length=MAX_TEXT)] = Field(
        description="Review text in markdown: a section, several sections, or a single sentence."
    )
    factor: YesNo = Field(
        False,
        description="Read the text as a contributing factor's description, where naming a person "
        "is itself a mark.",
    )


class LanguageMark(BaseModel):
    sentence: str = Field(description="The marked sentence (line breaks folded to spaces).")
    start: int = Field(description="Offset of the sentence's first character in `text`.")
    end: int = Field(description="Offset just after the sentence's last character in `text`.")
    rule: RuleId
    phrase: str = Field(description="The words that triggered the mark.")
    reason: str = Field(description="Why the sentence reads as blame, in plain words.")
    suggestion: str = Field(description="A question or rewrite that turns it toward the system.")


class LanguageOut(BaseModel):
    """Advice only: marks never stop a review from being saved or published."""

    marks: list[LanguageMark]
