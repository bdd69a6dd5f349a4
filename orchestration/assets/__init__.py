"""The warehouse's assets: the landing zone, the dbt project, the outbox and the BI copy."""
