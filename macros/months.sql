{#-
    Calendar-month arithmetic (credit line eligibility, RULES.md section 10; breakage by month),
    dispatched like the macros in engine.sql so that another engine adds its variant.
-#}

{#- The day `months` calendar months after the day (negative: before); a day past the end of
    the target month is clamped to its last day (2026-08-31 minus 6 months is 2026-02-28). -#}
{% macro add_months(date_expression, months) -%}
    {{ return(adapter.dispatch('add_months', 'tiktok_one_warehouse')(date_expression, months)) }}
{%- endmacro %}
{% macro duckdb__add_months(date_expression, months) -%}
    cast(({{ date_expression }}) + to_months(cast({{ months }} as integer)) as date)
{%- endmacro %}


{#- The first day of the calendar month holding the day (or timestamp). -#}
{% macro month_start(date_expression) -%}
    {{ return(adapter.dispatch('month_start', 'tiktok_one_warehouse')(date_expression)) }}
{%- endmacro %}
{% macro duckdb__month_start(date_expression) -%}
    cast(date_trunc('month', {{ date_expression }}) as date)
{%- endmacro %}


{#- The last day a credit is active (RULES.md section 9): the last day D whose start is before
    expires_at, i.e. the day before expires_at when it falls exactly at midnight. -#}
{% macro last_active_day(expires_at_expression) -%}
    {{ return(adapter.dispatch('last_active_day', 'tiktok_one_warehouse')(expires_at_expression)) }}
{%- endmacro %}
{% macro duckdb__last_active_day(expires_at_expression) -%}
    cast(({{ expires_at_expression }}) - interval 1 microsecond as date)
{%- endmacro %}
