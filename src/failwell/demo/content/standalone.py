"""The standalone failure scenarios, in the order the loader draws them: failed deployments,
incidents and near misses."""

from __future__ import annotations

from failwell.demo.content.failed_rollouts import FAILED_ROLLOUTS
from failwell.demo.content.incidents_cluster_and_payments import CLUSTER_AND_PAYMENT_INCIDENTS
from failwell.demo.content.incidents_edge_and_clients import EDGE_AND_CLIENT_INCIDENTS
from failwell.demo.content.incidents_shared import SHARED_SYSTEM_INCIDENTS
from failwell.demo.content.near_misses_latent import LATENT_RISK_NEAR_MISSES
from failwell.demo.content.near_misses_operations import OPERATIONS_NEAR_MISSES
from failwell.demo.content.rollbacks import ROLLED_BACK_DEPLOYMENTS
from failwell.demo.content.shapes import Scenario

FAILED_DEPLOYMENTS: tuple[Scenario, ...] = (*ROLLED_BACK_DEPLOYMENTS, *FAILED_ROLLOUTS)
INCIDENTS: tuple[Scenario, ...] = (
    *CLUSTER_AND_PAYMENT_INCIDENTS,
    *EDGE_AND_CLIENT_INCIDENTS,
    *SHARED_SYSTEM_INCIDENTS,
)
NEAR_MISSES: tuple[Scenario, ...] = (*OPERATIONS_NEAR_MISSES, *LATENT_RISK_NEAR_MISSES)
