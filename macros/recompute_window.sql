{#-
    The first day an incremental model recomputes (README, Performance): the var
    `recompute_from` when the orchestrator widens the window (late data, an older
    restatement), else the as-of date less `recompute_days` - 1, and never after the day that
    follows the model's own last stored day, so that a run after a pause leaves no gap (the
    usual dbt `max(...) from this` bound). Only called in an incremental run; a first build or
    `--full-refresh` computes every day with the same SQL. Returned as a date literal, so that
    DuckDB skips the row groups before it when it scans.
-#}
{% macro recompute_from() -%}
    {%- if not execute -%}
        {{ return("cast(null as date)") }}
    {%- endif -%}
    {%- set explicit = var('recompute_from', none) -%}
    {%- set first_day -%}
        select cast(least(
            {% if explicit -%}
            cast('{{ explicit }}' as date),
            {%- else -%}
            {{ add_days(as_of_date(), 1 - var('recompute_days') | int) }},
            {%- endif %}
            (select {{ add_days('max(date_day)', 1) }} from {{ this }})
        ) as varchar)
    {%- endset -%}
    {{ return("cast('" ~ run_query(first_day).columns[0].values()[0] ~ "' as date)") }}
{%- endmacro %}


{#-
    The configuration of a day-grained incremental model: every stored day from the window's
    first day on is deleted (days after the as-of date too, when a build goes back in time),
    then the recomputed days are inserted. On Spark the same idea is insert_overwrite by day.
-#}
{% macro day_window_config() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='replace_window',
        on_schema_change='fail',
    ) }}
{%- endmacro %}


{#-
    The `replace_window` strategy (a dbt custom incremental strategy): delete the stored days
    from the window's first day on, then insert the recomputed ones.
-#}
{% macro get_incremental_replace_window_sql(arg_dict) -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where date_day >= {{ recompute_from() }};
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}


{#-
    A rule's day count from the seed tier_day_counts, as a literal (window frames need one).
    The seed is built before any model that reads it (the model names it with depends_on).
-#}
{% macro tier_day_count(name) -%}
    {%- if not execute -%}
        {{ return(30) }}
    {%- endif -%}
    {#- Seeds live in schema rules (dbt_project.yml); a unit test reads the built seed too. -#}
    {%- set relation = api.Relation.create(database=target.database, schema='rules', identifier='tier_day_counts') -%}
    {%- set days = run_query("select days from " ~ relation ~ " where day_count = '" ~ name ~ "'").columns[0].values() -%}
    {%- if days | length != 1 -%}
        {{ exceptions.raise_compiler_error("Seed tier_day_counts has no row '" ~ name ~ "'") }}
    {%- endif -%}
    {{ return(days[0] | int) }}
{%- endmacro %}
