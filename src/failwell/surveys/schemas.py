"""Input and output shapes of the surveys slice."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from failwell.fields import Day, InputModel, Name, Title, YesNo
from failwell.surveys.instruments import MAX_CUSTOM_ITEMS, MAX_FREE_TEXT, SCALE_MAX, SCALE_MIN

InstrumentKey = Literal["westrum", "safety"]


def _both() -> list[InstrumentKey]:
    return ["westrum", "safety"]


ItemText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]


class CampaignIn(InputModel):
    title: Title
    instruments: list[InstrumentKey] = Field(
        default_factory=_both,
        max_length=2,
        description="Published instruments asked.",
    )
    custom_items: list[ItemText] = Field(
        default_factory=list,
        max_length=MAX_CUSTOM_ITEMS,
        description="Your own statements, answered on the same 1-7 agreement scale.",
    )
    free_text: YesNo = Field(False, description='Ask "What would make it safer to speak up here?"')
    teams: list[Name] = Field(
        default_factory=list, max_length=200, description="Teams asked; empty: the whole organisation."
    )
    opens_on: Day
    closes_on: Day
    remind_days_before: int = Field(3, ge=0, le=60, description="One reminder this many days before closing.")

    @model_validator(mode="after")
    def _check(self) -> CampaignIn:
        if self.closes_on < self.opens_on:
            raise ValueError("closes_on must not be before opens_on")
        if not self.instruments and not self.custom_items:
            raise ValueError("a campaign needs an instrument or at least one item of your own")
        if len(set(self.instruments)) != len(self.instruments):
            raise ValueError("instruments must not repeat")
        return self


class CustomItemOut(BaseModel):
    key: str
    text: str


class CampaignOut(BaseModel):
    id: int
    title: str
    instruments: list[str]
    custom_items: list[CustomItemOut]
    free_text: bool
    free_text_question: str | None
    scope: Literal["organisation", "teams"]
    teams: list[str]
    status: Literal["draft", "open", "closed"]
    opens_on: date
    closes_on: date
    remind_days_before: int
    invited: int
    answered: int
    created_at: datetime


class AnswerIn(InputModel):
    answers: dict[
        Annotated[str, StringConstraints(max_length=40)], Annotated[int, Field(ge=SCALE_MIN, le=SCALE_MAX)]
    ] = Field(max_length=40, description="Item key → 1 (strongly disagree) … 7 (strongly agree).")
    free_text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_FREE_TEXT)] | None = (
        None
    )


class AnswerOut(BaseModel):
    campaign_id: int
    recorded: bool = True
    detail: str = "Thank you: your answers are recorded, without your name."
