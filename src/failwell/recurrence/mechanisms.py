"""Query-side expansion: everyday words for a failure mechanism, and the terms write-ups use for it.

A report written on the day of a failure describes symptoms ("the resolver pods", "the kernel
killed processes"); the earlier write-up of the same cause names the mechanism ("CoreDNS",
"OOM"). Each group below lists phrases that point at one mechanism and the short technical
terms it goes by; a query that contains a phrase is also searched by the group's terms. Only
the query is expanded: stored failures are indexed as written.

The list is general operations vocabulary (containers, cloud, JVM, databases, networks), kept
short on purpose: a term added to every query that merely mentions "memory" would match
everything. See docs/recurrence.md for how it was measured.
"""

from __future__ import annotations

import re
from functools import lru_cache

# (phrases that suggest the mechanism, terms written-up failures use for it)
GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("out of memory", "memory killer", "oom killer", "ran out of memory", "heap exhausted"),
        ("oom", "oomkill"),
    ),
    (
        ("name resolution", "name lookup", "resolver", "cannot resolve", "lookups time out"),
        ("dns", "coredns"),
    ),
    (("connection tracking", "per-flow", "flow table", "nat table", "stale flows"), ("conntrack", "nat")),
    (("backing store", "key-value store", "cluster state store", "cluster datastore"), ("etcd",)),
    (("defunct process", "reap", "cannot fork", "process limit", "pid limit"), ("zombies", "pid")),
    (("cpu quota", "throttled", "cfs quota"), ("throttling", "cpu")),
    (("automatic sizer", "autosizer", "scaled down automatically", "scale-down"), ("autoscaler",)),
    (("scaling group", "instance group", "zone balancing", "az rebalance"), ("asg", "rebalance")),
    (
        ("certificate expired", "cert expired", "expired certificate", "handshake failed"),
        ("certificate", "tls"),
    ),
    (("tenant grouping", "tenant space", "deleted the tenant"), ("namespace",)),
    (("batch task", "one-off task", "never retry", "restart policy"), ("job", "restartpolicy")),
    (("stopped reporting", "node unresponsive", "hosts unresponsive", "missed heartbeats"), ("notready",)),
    (("health check", "readiness check", "liveness check"), ("probe", "readinessprobe", "livenessprobe")),
    (("single sign-on", "sso", "log in", "login"), ("authentication", "oidc", "dex")),
    (("admission", "policy hook", "validating hook"), ("webhook",)),
    (("ran out of ip", "no free ip", "address space exhausted", "subnet full"), ("ip", "cni", "ipam")),
    (("image pull", "pulling images", "registry outage", "image registry"), ("image", "registry")),
    (("load balancer", "lb health", "traffic policy"), ("elb", "loadbalancer")),
    (("source address", "client ip lost"), ("externaltrafficpolicy", "snat")),
    (
        ("instance credentials", "metadata credential", "cloud credentials", "role mapping"),
        ("iam", "kube2iam"),
    ),
    (("disk full", "no space left", "volume full", "filesystem full"), ("disk", "storage")),
    (("clock skew", "time drift", "ntp"), ("clock", "ntp")),
    (("garbage collection", "gc pause", "stop-the-world"), ("gc", "heap")),
    (("too many open files", "file descriptor"), ("ulimit", "descriptors")),
    (("connection pool", "pool exhausted", "no free connections"), ("pool", "connections")),
    (("leader election", "split brain", "lost quorum"), ("leader", "quorum")),
    (("rate limited", "throttling requests", "too many requests", "429"), ("ratelimit", "qps")),
    (("config push", "bad config", "misconfiguration"), ("config", "configuration")),
    (("rolled out", "rollout", "bad deploy"), ("deployment", "rollout")),
    (("mtu", "packet drop", "dropped packets", "fragmentation"), ("mtu", "packets")),
    (("kernel bug", "kernel panic", "kernel version"), ("kernel",)),
    (("priority preemption", "preempted", "evicted by higher priority"), ("podpriority", "preemption")),
    (("scheduler", "unschedulable", "pending pods"), ("scheduling", "pending")),
    (("control plane", "api server", "apiserver"), ("apiserver", "control")),
)
# Expansion terms added to one query, at most.
MAX_EXTRA = 8


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    return [
        (re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")", re.IGNORECASE), terms)
        for phrases, terms in GROUPS
    ]


def expansion_terms(text: str, present: set[str] | None = None) -> list[str]:
    """The mechanism terms a text points at, in taxonomy order, without those already present."""
    have = present or set()
    out: list[str] = []
    for pattern, terms in _patterns():
        if pattern.search(text):
            out += [t for t in terms if t not in have and t not in out]
    return out[:MAX_EXTRA]
