"""A batch's deployments reach the changes slice without being validated a second time
(integrations/batch.py builds each DeploymentIn with model_construct): that is sound only while
every field it passes is validated as the same type in GenericDeployment. This holds them equal,
so a constraint added to one and not the other fails here instead of slipping through."""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic.fields import FieldInfo

from failwell.changes.schemas import DeploymentIn
from failwell.fields import InputModel
from failwell.integrations.schemas import GenericDeployment

# Set by batch.py from other validated sources: a stored rule, the integration's options, or not at all.
NOT_FROM_THE_ITEM = {"change_id"}


def checked_as(field: FieldInfo) -> tuple[Any, tuple[Any, ...]]:
    """(type, its constraints and validators) of a field, whether it may be None aside."""
    annotation, metadata = field.annotation, tuple(field.metadata)
    if get_origin(annotation) in (Union, types.UnionType):
        (annotation,) = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is Annotated:
        base, *inner = get_args(annotation)
        annotation, metadata = base, (*inner, *metadata)
    return annotation, metadata


def test_a_batch_item_is_validated_as_the_deployment_it_becomes() -> None:
    shared = set(DeploymentIn.model_fields) - NOT_FROM_THE_ITEM
    assert shared <= set(GenericDeployment.model_fields)
    for name in sorted(shared):
        ours = checked_as(DeploymentIn.model_fields[name])
        theirs = checked_as(GenericDeployment.model_fields[name])
        assert ours == theirs, name
    # Nor may DeploymentIn check more than its fields: no validators beyond every input's.
    checks = DeploymentIn.__pydantic_decorators__
    every_input = InputModel.__pydantic_decorators__
    assert checks.model_validators.keys() == every_input.model_validators.keys()
    assert checks.field_validators.keys() == every_input.field_validators.keys()


def test_the_comparison_tells_a_missing_constraint() -> None:
    plain = FieldInfo.from_annotation(str)
    assert checked_as(plain) != checked_as(DeploymentIn.model_fields["version"])
