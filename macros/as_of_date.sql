{#-
    The as-of date of the build (RULES.md conventions), as int_as_of_date holds it once per
    build: the dbt var `as_of_date`, by default the latest spend day.
-#}
{% macro as_of_date() -%}
    (select as_of_date from {{ ref('int_as_of_date') }})
{%- endmacro %}

{#- The end of the as-of date (00:00 UTC of the next day): "the as-of time". -#}
{% macro as_of_end_at() -%}
    (select as_of_end_at from {{ ref('int_as_of_date') }})
{%- endmacro %}

{#-
    Whether a spend row's day was reported by its report: a report cannot cover a day after
    the one it arrived on, with a day's grace for account-local days ahead of UTC. Staging
    quarantines the other rows (`spend_date_in_future`); they set no as-of date and no rate
    horizon. The one home of this rule (warehouse/landing.py holds a Python copy for
    `make run`, tested equal).
-#}
{% macro spend_is_reported(spend_date, reported_at) -%}
    {{ spend_date }} <= {{ add_days('cast(' ~ reported_at ~ ' as date)', 1) }}
{%- endmacro %}

{#-
    The latest spend day of a set of raw ad_spend rows: the latest spend_date a report
    covered (spend_is_reported). The default as-of date, and the latest one a build accepts
    (macros/landing_checks.sql).
-#}
{% macro latest_spend_day(raw_rows) -%}
    select max(cast(spend_date as date)) as latest_spend_day
    from {{ raw_rows }}
    where {{ spend_is_reported('cast(spend_date as date)', 'cast(reported_at as timestamp)') }}
{%- endmacro %}
