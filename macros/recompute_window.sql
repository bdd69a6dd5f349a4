{#-
    The first day an incremental model recomputes (docs/performance.md): the var
    `recompute_from` when the orchestrator widens the window, else the as-of date less
    `recompute_days` - 1; for a stored model never after the day after its own last stored
    day (the usual dbt `max(...) from this` bound), so a pause leaves no gap. A date literal,
    so that DuckDB skips the row groups before it. `relation` is the model (its data tests
    pass it; a view has no stored days, so it takes the window alone).
-#}
{% macro recompute_from(relation=none, day_column=none) -%}
    {%- if not execute -%}{{ return("cast(null as date)") }}{%- endif -%}
    {%- set relation = relation if relation is not none else this -%}
    {%- set day_column = day_column or config.get('meta', {}).get('recomputed_by_day', 'date_day') -%}
    {%- set explicit = run_var('recompute_from') -%}
    {%- set window_start -%}
        {%- if explicit %}cast('{{ explicit }}' as date)
        {%- else %}{{ add_days(as_of_date(), 1 - var('recompute_days') | int) }}
        {%- endif %}
    {%- endset -%}
    {%- set stored = relation.type != 'view' if relation.type else true -%}
    {%- set first_day -%}
        {%- if stored %}least({{ window_start }}, (select {{ add_days('max(' ~ day_column ~ ')', 1) }} from {{ relation }}))
        {%- else %}{{ window_start }}
        {%- endif %}
    {%- endset -%}
    {%- set first_day = aligned_day(first_day, config.get('meta', {}).get('recompute_align')) -%}
    {%- set first_day = "select cast(" ~ first_day ~ " as string)" -%}
    {{ return("cast('" ~ run_query(first_day).columns[0].values()[0] ~ "' as date)") }}
{%- endmacro %}

{#-
    A day-grained incremental model: the stored days from the window's first day on (days
    after the as-of date too, when a build goes back in time) are replaced by the recomputed
    days; rows with no day (a quarantined row whose date is missing, a source without dates)
    are recomputed on every run. DuckDB: `replace_window`, a dbt custom strategy (delete,
    then insert). Spark: the table is partitioned by the day column; the stored days from the
    window's first day are dropped (pre-hook), then `insert_overwrite` writes the recomputed
    days' partitions. `day_column` is the model's day (its tests read the recomputed days only
    in an incremental run: macros/test_window.sql).
-#}
{% macro day_window_config(day_column='date_day', align=none) -%}
    {{ return(adapter.dispatch('day_window_config', 'tiktok_one_warehouse')(day_column, align)) }}
{%- endmacro %}
{% macro duckdb__day_window_config(day_column, align) -%}
    {{ config(materialized='incremental', incremental_strategy='replace_window', on_schema_change='fail',
        meta={'recomputed_by_day': day_column, 'recompute_align': align}) }}
{%- endmacro %}
{% macro spark__day_window_config(day_column, align) -%}
    {{ config(materialized='incremental', incremental_strategy='insert_overwrite', file_format='parquet',
        partition_by=[day_column], on_schema_change='fail', pre_hook="{{ drop_recomputed_days() }}",
        meta={'recomputed_by_day': day_column, 'recompute_align': align}) }}
{%- endmacro %}

{#- A day moved back to the start of its week ('week') or left as it is. -#}
{% macro aligned_day(day_expression, align) -%}
    {{ return(iso_week_start(day_expression) if align == 'week' else day_expression) }}
{%- endmacro %}

{#- The rows of a model's window, for its SQL under is_incremental(): the recomputed days and
    the rows without a day. -#}
{% macro in_recomputed_days(column) -%}
    ({{ column }} >= {{ recompute_from() }} or {{ column }} is null)
{%- endmacro %}

{% macro get_incremental_replace_window_sql(arg_dict) -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set day_column = config.get('meta', {}).get('recomputed_by_day', 'date_day') -%}
    delete from {{ arg_dict['target_relation'] }} where {{ in_recomputed_days(day_column) }};
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#- The day partitions from the window's first day on, and the one of rows without a day,
    listed from the catalog (one row per day, not per data row) and dropped in one statement. -#}
{% macro drop_recomputed_days() -%}
    {%- if not (execute and is_incremental()) -%}{{ return('') }}{%- endif -%}
    {%- set day_column = config.get('meta', {}).get('recomputed_by_day', 'date_day') -%}
    {%- set first_day = run_query("select cast(" ~ recompute_from() ~ " as string)").columns[0].values()[0] -%}
    {%- set days = [] -%}
    {%- for partition in run_query("show partitions " ~ this).columns[0].values() -%}
        {%- set day = partition.split('=')[1] -%}
        {%- if day == '__HIVE_DEFAULT_PARTITION__' -%}
            {%- do days.append("partition (" ~ day_column ~ " = null)") -%}
        {%- elif day >= first_day -%}
            {%- do days.append("partition (" ~ day_column ~ " = '" ~ day ~ "')") -%}
        {%- endif -%}
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
