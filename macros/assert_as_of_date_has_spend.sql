{#-
    The as-of date asked for (the dbt var `as_of_date`) must be a date, and one on which spend
    was reported: a build as of a day after the latest spend in the landing zone would read
    every account as spending nothing on the days after it, and downgrade members that only
    wait for their spend report. When no account truly spent on those days, say so with the
    var `allow_as_of_without_spend: true`.

    The latest spend date is read from the raw ad_spend Parquet files (two columns, no model),
    so that the check runs before anything is built. A row dated after the day it was
    reported (plus a day's grace) is quarantined as `spend_date_in_future` by the base model
    and does not count here either, so a junk date in year 9999 cannot hide a missing day.
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
    {%- set latest = run_query(latest_landed_spend_date_sql(folder)).columns[0].values()[0] -%}
    {%- if latest is none and (as_of is none or not allow_without_spend) -%}
        {{ exceptions.raise_compiler_error(
            "No spend in " ~ folder ~ ": the ad_spend files hold no row with a spend_date"
            ~ " (reported no later than a day after it), so there is no as-of date to build."
            ~ " Deliver the spend files, or give as_of_date with allow_as_of_without_spend: true"
            ~ " if no account spent at all.") }}
    {%- endif -%}
    {%- if as_of is not none and latest is not none and as_of > latest and not allow_without_spend -%}
        {{ exceptions.raise_compiler_error(
            "as_of_date " ~ as_of ~ " is after the latest spend_date in " ~ folder ~ " ("
            ~ latest ~ "): every account would read as spending nothing after " ~ latest
            ~ ". Build as of " ~ latest ~ " or earlier, or, if no account spent on the days"
            ~ " after it, add allow_as_of_without_spend: true to --vars.") }}
    {%- endif -%}
{% endmacro %}


{#- One row: the text as a date, or null when it is not one (2026-13-01). -#}
{% macro date_or_null_sql(text) -%}
    {{ return(adapter.dispatch('date_or_null_sql')(text)) }}
{%- endmacro %}

{% macro duckdb__date_or_null_sql(text) -%}
    select try_cast('{{ text | replace("'", "''") }}' as date) as as_of_date
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
