{#-
    The first day an incremental model recomputes (README, Performance): the var
    `recompute_from` when the orchestrator widens the window, else the as-of date less
    `recompute_days` - 1; never after the day after the model's own last stored day (the
    usual dbt `max(...) from this` bound), so a pause leaves no gap. A date literal, so that
    DuckDB skips the row groups before it. Only called in an incremental run.
-#}
{% macro recompute_from() -%}
    {%- if not execute -%}{{ return("cast(null as date)") }}{%- endif -%}
    {%- set explicit = var('recompute_from', none) -%}
    {%- set first_day -%}
        select cast(least(
            {%- if explicit %} cast('{{ explicit }}' as date),
            {%- else %} {{ add_days(as_of_date(), 1 - var('recompute_days') | int) }},
            {%- endif %}
            (select {{ add_days('max(date_day)', 1) }} from {{ this }})
        ) as varchar)
    {%- endset -%}
    {{ return("cast('" ~ run_query(first_day).columns[0].values()[0] ~ "' as date)") }}
{%- endmacro %}

{#-
    A day-grained incremental model: the stored days from the window's first day on (days
    after the as-of date too, when a build goes back in time) are deleted, then the
    recomputed days inserted, by `replace_window`, a dbt custom incremental strategy.
-#}
{% macro day_window_config() -%}
    {{ config(materialized='incremental', incremental_strategy='replace_window', on_schema_change='fail') }}
{%- endmacro %}

{% macro get_incremental_replace_window_sql(arg_dict) -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }} where date_day >= {{ recompute_from() }};
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#-
    A rule's number from a seed, as a literal (window frames need one): the seed is named by
    the model with depends_on; seeds live in schema rules (dbt_project.yml).
-#}
{% macro rule_number(seed, column, where='true') -%}
    {%- if not execute -%}{{ return(30) }}{%- endif -%}
    {%- set relation = api.Relation.create(database=target.database, schema='rules', identifier=seed) -%}
    {%- set values = run_query("select " ~ column ~ " from " ~ relation ~ " where " ~ where).columns[0].values() -%}
    {%- if values | length != 1 -%}
        {{ exceptions.raise_compiler_error("Seed " ~ seed ~ " has no single " ~ column ~ " where " ~ where) }}
    {%- endif -%}
    {{ return(values[0] | int) }}
{%- endmacro %}

{% macro tier_day_count(name) -%}
    {{ return(rule_number('tier_day_counts', 'days', "day_count = '" ~ name ~ "'")) }}
{%- endmacro %}
