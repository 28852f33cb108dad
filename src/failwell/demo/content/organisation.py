"""The demo organisation: its teams and people, and the domain their addresses live under."""

from __future__ import annotations

from failwell.demo.content.shapes import PersonSpec, TeamSpec
from failwell.enums import Role

TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec(
        "payments",
        "Owns checkout, the ledger, payouts and fraud scoring: everything between a shopper pressing Pay and "
        "a merchant being paid. On call around the clock with a rota shared between Lisbon and Toronto.",
        "PAY",
    ),
    TeamSpec(
        "identity",
        "Sign-in, sessions, multi-factor authentication and the SMS gateway that delivers one-time passcodes. "
        "Aims to keep the sign-in path fast, boring and hard to abuse.",
        "IDN",
    ),
    TeamSpec(
        "platform",
        "Runs the Kubernetes clusters, the API gateway, the feature-flag service and the deploy pipeline that "
        "every other team ships through.",
        "PLAT",
    ),
    TeamSpec(
        "data",
        "The event bus, warehouse exports and the reporting API behind merchant settlement dashboards. Owns "
        "data retention and the month-end close jobs finance depends on.",
        "DATA",
    ),
    TeamSpec(
        "mobile",
        "The iOS and Android apps, the backend-for-frontend that shapes API responses for them, and push "
        "notifications.",
        "MOB",
    ),
    TeamSpec(
        "support-tooling",
        "Builds the console customer support agents use to look up orders, issue refunds and keep tickets in "
        "step with the helpdesk.",
        "SUP",
    ),
)

DEMO_DOMAIN = "demo.failwell.dev"

# The first person is the demo login; the loader gives them the demo e-mail and password.
PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec("Morgan Ellis", "owner@demo.failwell.dev", Role.practice_owner, ("platform",)),
    PersonSpec("Priya Raman", "priya.raman@demo.failwell.dev", Role.practice_owner, ()),
    PersonSpec("Tomasz Nowak", "tomasz.nowak@demo.failwell.dev", Role.practice_manager, ("payments",)),
    PersonSpec("Aisha Bello", "aisha.bello@demo.failwell.dev", Role.practice_manager, ("identity",)),
    PersonSpec("Lena Fischer", "lena.fischer@demo.failwell.dev", Role.practice_manager, ("platform",)),
    PersonSpec("Diego Alvarez", "diego.alvarez@demo.failwell.dev", Role.practice_manager, ("data",)),
    PersonSpec(
        "Hannah Okafor",
        "hannah.okafor@demo.failwell.dev",
        Role.practice_manager,
        ("mobile", "support-tooling"),
    ),
    PersonSpec("Sam Whitfield", "sam.whitfield@demo.failwell.dev", Role.practitioner, ("payments",)),
    PersonSpec("Mei Lin Chen", "meilin.chen@demo.failwell.dev", Role.practitioner, ("payments",)),
    PersonSpec("Jonas Berg", "jonas.berg@demo.failwell.dev", Role.practitioner, ("payments", "platform")),
    PersonSpec("Fatima Haddad", "fatima.haddad@demo.failwell.dev", Role.practitioner, ("identity",)),
    PersonSpec("Oliver Grant", "oliver.grant@demo.failwell.dev", Role.practitioner, ("identity",)),
    PersonSpec("Noah Jensen", "noah.jensen@demo.failwell.dev", Role.practitioner, ("identity", "mobile")),
    PersonSpec("Kenji Watanabe", "kenji.watanabe@demo.failwell.dev", Role.practitioner, ("platform",)),
    PersonSpec("Rosa Martins", "rosa.martins@demo.failwell.dev", Role.practitioner, ("platform",)),
    PersonSpec("Arjun Mehta", "arjun.mehta@demo.failwell.dev", Role.practitioner, ("data",)),
    PersonSpec("Sofia Rossi", "sofia.rossi@demo.failwell.dev", Role.practitioner, ("data",)),
    PersonSpec("Lucas Moreau", "lucas.moreau@demo.failwell.dev", Role.practitioner, ("mobile",)),
    PersonSpec("Grace Mwangi", "grace.mwangi@demo.failwell.dev", Role.practitioner, ("mobile",)),
    PersonSpec("Daniel Kim", "daniel.kim@demo.failwell.dev", Role.practitioner, ("support-tooling",)),
    PersonSpec("Elif Demir", "elif.demir@demo.failwell.dev", Role.practitioner, ("support-tooling", "data")),
    PersonSpec("Claire Dubois", "claire.dubois@demo.failwell.dev", Role.viewer, ("support-tooling",)),
    PersonSpec("Ravi Shankar", "ravi.shankar@demo.failwell.dev", Role.viewer, ()),
    PersonSpec("Emma Thompson", "emma.thompson@demo.failwell.dev", Role.viewer, ()),
    PersonSpec("Yusuf Kaya", "yusuf.kaya@demo.failwell.dev", Role.viewer, ("payments",)),
)
