{#-
    The first day an incremental model recomputes (docs/performance.md): the var
    `recompute_from` when the orchestrator widens the window, else the as-of date less
    `recompute_days` - 1; never after the day after the model's own last stored day (the
    usual dbt `max(...) from this` bound), so a pause leaves no gap. A date literal, so that
    DuckDB skips the row groups before it. `relation` is the model (its data tests pass it).
-#}
{% macro recompute_from(relation=none, day_column='date_day') -%}
    {%- if not execute -%}{{ return("cast(null as date)") }}{%- endif -%}
    {%- set relation = relation if relation is not none else this -%}
    {%- set explicit = var('recompute_from', none) -%}
    {%- set first_day -%}
        select cast(least(
            {%- if explicit %} cast('{{ explicit }}' as date),
            {%- else %} {{ add_days(as_of_date(), 1 - var('recompute_days') | int) }},
            {%- endif %}
            (select {{ add_days('max(' ~ day_column ~ ')', 1) }} from {{ relation }})
        ) as string)
    {%- endset -%}
    {{ return("cast('" ~ run_query(first_day).columns[0].values()[0] ~ "' as date)") }}
{%- endmacro %}

{#-
    A day-grained incremental model: the stored days from the window's first day on (days
    after the as-of date too, when a build goes back in time) are replaced by the recomputed
    days. DuckDB: `replace_window`, a dbt custom strategy (delete, then insert). Spark: the
    table is partitioned by day; the stored days from the window's first day are dropped
    (pre-hook), then `insert_overwrite` writes the recomputed days' partitions.
-#}
{% macro day_window_config() -%}
    {{ return(adapter.dispatch('day_window_config', 'tiktok_one_warehouse')()) }}
{%- endmacro %}
{% macro duckdb__day_window_config() -%}
    {{ config(materialized='incremental', incremental_strategy='replace_window', on_schema_change='fail',
        meta={'recomputed_by_day': 'date_day'}) }}
{%- endmacro %}
{% macro spark__day_window_config() -%}
    {{ config(materialized='incremental', incremental_strategy='insert_overwrite', file_format='parquet',
        partition_by=['date_day'], on_schema_change='fail', pre_hook="{{ drop_recomputed_days() }}",
        meta={'recomputed_by_day': 'date_day'}) }}
{%- endmacro %}

{% macro get_incremental_replace_window_sql(arg_dict) -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }} where date_day >= {{ recompute_from() }};
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#- The day partitions from the window's first day on, listed from the catalog (one row per
    day, not per data row) and dropped in one statement. -#}
{% macro drop_recomputed_days() -%}
    {%- if not (execute and is_incremental()) -%}{{ return('') }}{%- endif -%}
    {%- set first_day = run_query("select cast(" ~ recompute_from() ~ " as string)").columns[0].values()[0] -%}
    {%- set days = [] -%}
    {%- for partition in run_query("show partitions " ~ this).columns[0].values() -%}
        {%- set day = partition.split('=')[1] -%}
        {%- if day >= first_day -%}{%- do days.append("partition (date_day = '" ~ day ~ "')") -%}{%- endif -%}
    {%- endfor -%}
    {{ return(("alter table " ~ this ~ " drop if exists " ~ days | join(', ')) if days else '') }}
{%- endmacro %}

{#-
    A rule's number from a seed, as a literal (window frames need one): the seed is named by
    the model with depends_on; seeds live in schema rules (dbt_project.yml).
-#}
{% macro rule_number(seed, column, where='true') -%}
    {%- if not execute -%}{{ return(30) }}{%- endif -%}
    {%- set relation = api.Relation.create(schema='rules', identifier=seed) -%}
    {%- set values = run_query("select " ~ column ~ " from " ~ relation ~ " where " ~ where).columns[0].values() -%}
    {%- if values | length != 1 -%}
        {{ exceptions.raise_compiler_error("Seed " ~ seed ~ " has no single " ~ column ~ " where " ~ where) }}
    {%- endif -%}
    {{ return(values[0] | int) }}
{%- endmacro %}

{% macro tier_day_count(name) -%}
    {{ return(rule_number('tier_day_counts', 'days', "day_count = '" ~ name ~ "'")) }}
{%- endmacro %}
