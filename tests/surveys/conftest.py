from __future__ import annotations

import pytest

from failwell.db import Database
from surveys.helpers import SurveyOrg, make_survey_org


@pytest.fixture
def survey_org(db: Database) -> SurveyOrg:
    return make_survey_org(db)
