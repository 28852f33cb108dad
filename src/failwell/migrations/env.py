"""Alembic environment: the URL comes from the caller (failwell.migrate), never from a file."""

from alembic import context
from sqlalchemy import Connection

import failwell.models  # noqa: F401  (registers every table)
from failwell.db import Base
from failwell.migrate import only_this_dialect

config = context.config
target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=only_this_dialect(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from failwell.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
