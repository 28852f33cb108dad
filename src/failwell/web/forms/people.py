"""People forms (the /admin users and tokens pages, and /account) onto the people schemas.

Each reader takes the submitted values and gives the schema, or None and the error at each
field in plain words. Passwords never go back into a form: readers of password forms give
their errors with no values.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from failwell.enums import Role
from failwell.fields import Email, InputModel, Name, YesNo
from failwell.listing import PageParams
from failwell.people.passwords import Password
from failwell.people.schemas import PersonIn, PersonOut, PersonUpdate, TokenIn
from failwell.web.forms.base import FORM_ERROR, FormState, cleaned, plain_words, validate

# The ITIL practice roles, most privileged first, each with what it lets a person do.
ROLES: list[tuple[str, str, str]] = [
    (
        Role.practice_owner.value,
        "Practice owner",
        "Administers failwell: people and roles, API tokens, the factor taxonomy, the severity "
        "scale and the review template; and everything a practice manager can do.",
    ),
    (
        Role.practice_manager.value,
        "Practice manager",
        "Runs the practice: assigns corrective actions, manages teams and services, edits "
        "published reviews; and everything a practitioner can do.",
    ),
    (
        Role.practitioner.value,
        "Practitioner",
        "Does the work: reports failures, writes reviews, records changes and deployments, "
        "works corrective actions.",
    ),
    (
        Role.viewer.value,
        "Viewer",
        "Reads everything, including the library of lessons, and changes nothing.",
    ),
]
ROLE_OPTIONS = [(value, name) for value, name, _ in ROLES]
ROLE_HELP = {value: f"{name}: {text}" for value, name, text in ROLES}

EMAIL_HINT = "enter an e-mail address such as name@example.com"
PERSON_FIELDS = ("name", "email", "role", "teams")
PROFILE_FIELDS = ("name", "email")


class UserFilter(PageParams):
    limit: int = Field(25, ge=1, le=200)
    q: str | None = Field(None, max_length=200)
    role: Role | None = None
    team: Name | None = None


class TokenListFilter(PageParams):
    limit: int = Field(50, ge=1, le=200)
    active: YesNo = False


class NewPassword(InputModel):
    password: Password
    confirm: str = ""


class PasswordChange(InputModel):
    current_password: str = Field(min_length=1)
    new_password: Password
    confirm_password: str = ""


class TokenForm(InputModel):
    name: Name
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class AdminTokenForm(TokenForm):
    person: Email


class ProfileForm(InputModel):
    name: Name
    email: Email


def without_secrets(values: dict[str, Any]) -> dict[str, Any]:
    """The values fit to show back in a form: never a password."""
    return {k: v for k, v in values.items() if k != "password"}


def user_filters(query: dict[str, str]) -> tuple[UserFilter, dict[str, str], dict[str, str]]:
    """The users list's filters, the error at each bad one, and the non-blank values typed."""
    raw = {k: v for k, v in query.items() if v.strip()}
    filters, errors = validate(UserFilter, raw)
    return filters or UserFilter(), errors, raw


def token_list_filter(query: dict[str, str]) -> TokenListFilter:
    raw = {k: v for k, v in query.items() if v.strip()}
    return validate(TokenListFilter, raw)[0] or TokenListFilter()


def person_in(values: dict[str, Any]) -> tuple[PersonIn | None, dict[str, str]]:
    data, errors = validate(PersonIn, cleaned(values))
    if data is None:
        return None, plain_words(errors, {"email": EMAIL_HINT})
    return data, {}


def person_update(values: dict[str, Any]) -> tuple[PersonUpdate | None, dict[str, str]]:
    data, errors = validate(PersonUpdate, {k: values.get(k) for k in PERSON_FIELDS})
    if data is None:
        return None, plain_words(errors, {"email": EMAIL_HINT})
    return data, {}


def person_form(person: PersonOut) -> FormState:
    return FormState(
        {"name": person.name, "email": person.email, "role": person.role.value, "teams": person.teams}
    )


def _mismatch(values: dict[str, Any], new: str, confirm: str) -> dict[str, str]:
    if values.get(new) and values.get(confirm) != values.get(new):
        return {confirm: "does not match the new password"}
    return {}


def new_password(values: dict[str, Any]) -> tuple[NewPassword | None, dict[str, str]]:
    """An owner's new password for someone; None unless it is valid and confirmed."""
    data, errors = validate(NewPassword, {k: values.get(k, "") for k in ("password", "confirm")})
    # The password's own reason (too short, too easy to guess) is already in plain words.
    errors |= _mismatch(values, "password", "confirm")
    return (None if errors else data), errors


def password_change(values: dict[str, Any]) -> tuple[PasswordChange | None, dict[str, str]]:
    """A change of one's own password; None unless it is valid and confirmed."""
    fields = ("current_password", "new_password", "confirm_password")
    data, errors = validate(PasswordChange, {k: values.get(k, "") for k in fields})
    errors = plain_words(errors, {"current_password": "enter your current password"})
    errors |= _mismatch(values, "new_password", "confirm_password")
    return (None if errors else data), errors


def token_in(values: dict[str, Any]) -> tuple[TokenIn | None, dict[str, str]]:
    """A token of one's own (the form has no person field)."""
    data, errors = validate(TokenForm, cleaned(values))
    if data is None:
        return None, plain_words(
            errors, {"name": "give the token a name, e.g. the laptop or script that uses it"}
        )
    return TokenIn(name=data.name, expires_in_days=data.expires_in_days), {}


def admin_token_in(values: dict[str, Any]) -> tuple[TokenIn | None, dict[str, str]]:
    """A token an owner makes for someone, named by e-mail."""
    data, errors = validate(AdminTokenForm, cleaned(values))
    if data is None:
        return None, plain_words(
            errors, {"person": "enter the e-mail address of the person the token is for"}
        )
    return TokenIn(name=data.name, person=data.person, expires_in_days=data.expires_in_days), {}


# The profile's inputs are named profile_* because the token form on the same page has a "name".


def profile_values(values: dict[str, Any]) -> dict[str, Any]:
    return {f"profile_{k}": values.get(f"profile_{k}", "") for k in PROFILE_FIELDS}


def profile_form(person: PersonOut) -> FormState:
    return FormState({"profile_name": person.name, "profile_email": person.email})


def profile_errors(values: dict[str, Any], errors: dict[str, str]) -> FormState:
    """The profile form as typed, with `errors` (named as the schema names them) at its inputs."""
    return FormState(
        profile_values(values),
        {(k if k == FORM_ERROR else f"profile_{k}"): v for k, v in errors.items()},
    )


def profile_update(values: dict[str, Any]) -> tuple[PersonUpdate | None, dict[str, str]]:
    """One's own name and e-mail (role and teams are a practice owner's)."""
    shown = profile_values(values)
    data, errors = validate(ProfileForm, {k.removeprefix("profile_"): v for k, v in shown.items()})
    if data is None:
        return None, plain_words(
            errors, {"name": "enter your name", "email": "enter an e-mail address like kim@example.com"}
        )
    return PersonUpdate(name=data.name, email=data.email), {}
