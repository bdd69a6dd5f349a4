{#-
    The as-of date asked for (the dbt var `as_of_date`) must be a date, and one on which spend
    was reported: a build as of a day after the latest spend in the landing zone would read
    every account as spending nothing on the days after it, and downgrade members that only
    wait for their spend report. When no account truly spent on those days, say so with the
    var `allow_as_of_without_spend: true`.

    The spend is read from the raw ad_spend Parquet files (two columns, no model), so that
    the check runs before anything is built; a passing check reads only the row groups that
    reach the as-of date, and the latest spend date is worked out only for the message. A row
    dated after the day it was reported (plus a day's grace) is quarantined as
    `spend_date_in_future` by the base model and does not count here either, so a junk date
    in year 9999 cannot hide a missing day.
    Without the var, the as-of date is the latest staged spend_date (int_as_of_date); a
    landing zone without any spend has none, and stops the run here too.
-#}
{% macro assert_as_of_date_has_spend() %}
    {%- set requested = var('as_of_date', none) -%}
    {%- set allow_without_spend = var('allow_as_of_without_spend', false) -%}
    {%- set folder = landing_dir() ~ '/ad_spend' -%}
    {%- set as_of = none -%}
    {%- if requested is not none and requested | string | trim != '' -%}
        {%- set as_of = run_query(date_or_null_sql(requested | string | trim)).columns[0].values()[0] -%}
        {%- if as_of is none -%}
            {{ exceptions.raise_compiler_error(
                "as_of_date '" ~ requested ~ "' is not a date: give it as YYYY-MM-DD, e.g."
                ~ " --vars '{as_of_date: 2026-03-31}'.") }}
        {%- endif -%}
    {%- endif -%}
    {#- Is there a usable-looking spend row on or after the as-of date (any row without one)?
        The date bound lets DuckDB skip every row group that ends before it (Parquet
        statistics), so a daily run reads the newest files, not the history. -#}
    {%- set has_spend = run_query(landed_spend_exists_sql(folder, as_of)).columns[0].values()[0] -%}
    {%- if has_spend or (as_of is not none and allow_without_spend) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set latest = run_query(latest_landed_spend_date_sql(folder)).columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ exceptions.raise_compiler_error(
            "No spend in " ~ folder ~ ": the ad_spend files hold no row with a spend_date"
            ~ " (reported no later than a day after it), so there is no as-of date to build."
            ~ " Deliver the spend files, or give as_of_date with allow_as_of_without_spend: true"
            ~ " if no account spent at all.") }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "as_of_date " ~ as_of ~ " is after the latest spend_date in " ~ folder ~ " ("
        ~ latest ~ "): every account would read as spending nothing after " ~ latest
        ~ ". Build as of " ~ latest ~ " or earlier, or, if no account spent on the days"
        ~ " after it, add allow_as_of_without_spend: true to --vars.") }}
{% endmacro %}


{#- One row: the text as a date, or null when it is not one (2026-13-01). -#}
{% macro date_or_null_sql(text) -%}
    {{ return(adapter.dispatch('date_or_null_sql')(text)) }}
{%- endmacro %}

{% macro duckdb__date_or_null_sql(text) -%}
    select try_cast('{{ text | replace("'", "''") }}' as date) as as_of_date
{%- endmacro %}


{#- One row: whether a raw ad_spend row not dated after its report is dated on or after
    `as_of` (any such row when `as_of` is none). -#}
{% macro landed_spend_exists_sql(folder, as_of) -%}
    {{ return(adapter.dispatch('landed_spend_exists_sql')(folder, as_of)) }}
{%- endmacro %}

{% macro duckdb__landed_spend_exists_sql(folder, as_of) -%}
    select count(*) > 0 as has_spend
    from (
        select 1
        from read_parquet('{{ folder | replace("'", "''") }}/*.parquet', union_by_name = true)
        where cast(spend_date as date) <= cast(cast(reported_at as timestamp) as date) + 1
            {%- if as_of is not none %}
            and spend_date >= cast('{{ as_of }}' as date)
            {%- endif %}
        limit 1
    )
{%- endmacro %}


{#- One row: the latest spend_date of the raw ad_spend rows not dated after their report. -#}
{% macro latest_landed_spend_date_sql(folder) -%}
    {{ return(adapter.dispatch('latest_landed_spend_date_sql')(folder)) }}
{%- endmacro %}

{% macro duckdb__latest_landed_spend_date_sql(folder) -%}
    select max(cast(spend_date as date)) as latest_spend_date
    from read_parquet('{{ folder | replace("'", "''") }}/*.parquet', union_by_name = true)
    where cast(spend_date as date) <= cast(cast(reported_at as timestamp) as date) + 1
{%- endmacro %}
