"""Imports every slice's tables so metadata (and Alembic) sees the whole schema."""

import failwell.audit.models
import failwell.broadcast.models
import failwell.ideas.models
import failwell.insights.models
import failwell.integrations.models
import failwell.recognition.models
import failwell.recurrence.models
import failwell.sso.models
import failwell.surveys.models  # noqa: F401  (registers those slices' tables)
from failwell.actions.models import CorrectiveAction
from failwell.catalogue.models import Service, ServiceConsumer
from failwell.changes.models import Change, Deployment
from failwell.db import Base
from failwell.failures.models import Failure, SeverityLevel, Tag, TimelineEvent
from failwell.people.models import ApiToken, Person, Team
from failwell.reviews.models import ContributingFactor, FactorCategory, Review

__all__ = [
    "ApiToken",
    "Base",
    "Change",
    "ContributingFactor",
    "CorrectiveAction",
    "Deployment",
    "FactorCategory",
    "Failure",
    "Person",
    "Review",
    "Service",
    "ServiceConsumer",
    "SeverityLevel",
    "Tag",
    "Team",
    "TimelineEvent",
]
