"""Whether two warehouses hold the same rows: the proof that an incremental build equals a full
rebuild (the tests and `make bench`)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def relations_differ(
    left: Path, right: Path, schemas: tuple[str, ...] = ("marts", "audit")
) -> list[str]:
    """`schema.name` of every table or view of `left` in these schemas whose rows differ from
    `right`'s (EXCEPT ALL both ways), or that `right` lacks."""
    connection = duckdb.connect()
    try:
        connection.execute(f"attach '{left}' as left_db (read_only)")
        connection.execute(f"attach '{right}' as right_db (read_only)")
        wanted = ", ".join(f"'{schema}'" for schema in schemas)
        relations = connection.execute(
            f"""
            select schema_name, table_name from duckdb_tables()
            where database_name = 'left_db' and schema_name in ({wanted})
            union
            select schema_name, view_name from duckdb_views()
            where database_name = 'left_db' and schema_name in ({wanted})
            order by 1, 2
            """
        ).fetchall()
        differing = []
        for schema, name in relations:
            relation = f"{schema}.{name}"
            try:
                rows = connection.execute(
                    f"select count(*) from ((from left_db.{relation} except all "
                    f"from right_db.{relation}) union all (from right_db.{relation} "
                    f"except all from left_db.{relation}))"
                ).fetchall()
            except duckdb.CatalogException:
                differing.append(relation)
                continue
            if rows[0][0]:
                differing.append(relation)
        return differing
    finally:
        connection.close()
