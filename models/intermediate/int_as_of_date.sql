{#-
    One row: the day this build computes up to, and the end of that day (the as-of time): the
    dbt var `as_of_date`, by default the latest spend day (macros/as_of_date.sql). Every
    incremental model's window is counted back from it, so it reads the raw spend rows itself
    (two columns) rather than a staged model that could depend on that window. The on-run-start
    checks refuse an as-of date after the latest spend day (macros/landing_checks.sql).
-#}
{%- set requested_as_of = var('as_of_date', none) -%}

with

resolved as (
    {% if requested_as_of %}
    select cast('{{ requested_as_of }}' as date) as as_of_date
    {% else %}
    select latest_spend_day as as_of_date
    from ({{ latest_spend_day(landing_rows('ads_manager', 'ad_spend')) }}) as latest
    {% endif %}
),

final as (
    select
        as_of_date,
        {{ end_of_day('as_of_date') }} as as_of_end_at
    from resolved
)

select * from final
