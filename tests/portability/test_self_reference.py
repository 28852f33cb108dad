"""A row may point at a later row of its own table: the import fills such columns afterwards."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, select

from failwell.db import make_engine
from failwell.portability.format import canonical, member_name, zip_info
from failwell.portability.importer import _load_table


def test_a_forward_reference_to_the_same_table_is_restored(tmp_path: Path) -> None:
    nodes = Table(
        "nodes",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("name", String(10)),
        Column("parent_id", ForeignKey("nodes.id")),
    )
    rows = [{"id": 1, "name": "child", "parent_id": 2}, {"id": 2, "name": "root", "parent_id": None}]
    archive_path = tmp_path / "a.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr(zip_info(member_name("nodes")), b"".join(canonical(r) + b"\n" for r in rows))
    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}", pool_size=1)  # foreign keys on
    try:
        nodes.metadata.create_all(engine)
        with engine.begin() as conn, zipfile.ZipFile(archive_path) as archive:
            assert _load_table(conn, archive, nodes) == 2
        with engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(select(nodes).order_by(nodes.c.id))] == [
                (1, "child", 2),
                (2, "root", None),
            ]
    finally:
        engine.dispose()
