"""Words for a generated organisation: services, teams, tags, and what its failures say."""

from __future__ import annotations

NOUNS = [
    "checkout",
    "payments",
    "ledger",
    "search",
    "catalog",
    "pricing",
    "inventory",
    "shipping",
    "billing",
    "auth",
    "identity",
    "profile",
    "notifications",
    "email",
    "sms",
    "gateway",
    "edge",
    "cdn",
    "images",
    "media",
    "reports",
    "analytics",
    "recommendations",
    "cart",
    "orders",
    "refunds",
    "fraud",
    "loyalty",
]
SUFFIXES = ("api", "worker", "db", "web", "stream")
TEAM_WORDS = [
    "atlas",
    "borealis",
    "comet",
    "delta",
    "ember",
    "fjord",
    "granite",
    "harbor",
    "iris",
    "juniper",
    "kestrel",
    "lumen",
    "meridian",
    "nimbus",
    "onyx",
    "polaris",
    "quartz",
    "rivet",
    "sierra",
    "tundra",
    "umbra",
    "vertex",
    "willow",
    "xenon",
    "yarrow",
    "zephyr",
]
# Common symptoms appear in many failure texts, rare ones in few: `q` searches use both.
COMMON_WORDS = ("timeout", "latency", "errors", "memory", "certificate", "deadlock", "quota", "rollback")
RARE_WORDS = ("kerberos", "leapsecond", "bitflip", "thundering")
TRIGGERS = (
    "a configuration change",
    "a dependency upgrade",
    "a traffic spike",
    "a failed migration",
    "an expired credential",
    "a node failure",
    "a feature flag flip",
    "a cron job overlap",
)
EFFECTS = (
    "customers saw errors at checkout",
    "partners could not reach the API",
    "reports were delayed",
    "some requests were retried twice",
    "the queue backed up for an hour",
    "nobody noticed for a while",
)


def service_names(n: int) -> list[str]:
    names = [f"{noun}-{suffix}" for suffix in SUFFIXES for noun in NOUNS]
    names += [f"service-{i}" for i in range(max(0, n - len(names)))]
    return names[:n]


def team_names(n: int) -> list[str]:
    return [f"team-{TEAM_WORDS[i % len(TEAM_WORDS)]}{'' if i < len(TEAM_WORDS) else i}" for i in range(n)]


def tag_names(n: int) -> list[str]:
    base = [
        "dns",
        "tls",
        "database",
        "network",
        "kubernetes",
        "config",
        "capacity",
        "third-party",
        "deploy",
        "monitoring",
        "security",
        "storage",
        "cache",
        "queue",
        "payments",
        "customer-facing",
    ]
    return [base[i] if i < len(base) else f"area:{i}" for i in range(n)]
