{#-
    Engine-specific SQL, one macro per idea, dispatched: another engine adds its variants.

    dbt's cross-database macros are used where they are the same SQL (dbt.date_trunc for the
    week and the month). The date arithmetic stays here: dbt.dateadd and dbt.datediff go
    through intervals and timestamps (on DuckDB a date plus an interval is a timestamp; on
    Spark through Unix time in the session's zone), where the warehouse wants a date, at the
    speed of integer arithmetic over tens of millions of tier days. dbt.hash is MD5, not the
    SHA-256 the published coupon hashes are; dbt has no 64-bit fingerprint, no day sequence
    per row and no materialization hint.
-#}

{% macro add_days(date_expression, days) -%}
    {{ return(adapter.dispatch('add_days', 'tiktok_one_warehouse')(date_expression, days)) }}
{%- endmacro %}
{% macro duckdb__add_days(date_expression, days) -%}
    cast(({{ date_expression }}) + cast({{ days }} as integer) as date)
{%- endmacro %}
{% macro spark__add_days(date_expression, days) -%}
    date_add({{ date_expression }}, cast({{ days }} as integer))
{%- endmacro %}

{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'tiktok_one_warehouse')(start_date, end_date)) }}
{%- endmacro %}
{% macro duckdb__days_between(start_date, end_date) -%}
    date_diff('day', {{ start_date }}, {{ end_date }})
{%- endmacro %}
{% macro spark__days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}

{% macro add_hours(timestamp_expression, hours) -%}
    {{ return(adapter.dispatch('add_hours', 'tiktok_one_warehouse')(timestamp_expression, hours)) }}
{%- endmacro %}
{% macro duckdb__add_hours(timestamp_expression, hours) -%}
    (({{ timestamp_expression }}) + to_hours(cast({{ hours }} as bigint)))
{%- endmacro %}
{% macro spark__add_hours(timestamp_expression, hours) -%}
    timestampadd(HOUR, cast({{ hours }} as bigint), {{ timestamp_expression }})
{%- endmacro %}

{#- Start of the next day (00:00 UTC of day + 1): "the end of day D" as a timestamp. -#}
{% macro end_of_day(date_expression) -%}
    {{ return(adapter.dispatch('end_of_day', 'tiktok_one_warehouse')(date_expression)) }}
{%- endmacro %}
{% macro duckdb__end_of_day(date_expression) -%}
    cast(({{ date_expression }}) + 1 as timestamp)
{%- endmacro %}
{% macro spark__end_of_day(date_expression) -%}
    cast(date_add({{ date_expression }}, 1) as timestamp)
{%- endmacro %}

{#- Monday of the ISO week holding the day. -#}
{% macro iso_week_start(date_expression) -%}
    cast({{ dbt.date_trunc('week', date_expression) }} as date)
{%- endmacro %}

{#- Whole years between two days (an age), the anniversary counted by month and day: born on
    29 February, a year older on 1 March in common years, never early for an age gate. -#}
{% macro years_between(start_date, end_date) -%}
    cast(
        extract(year from {{ end_date }}) - extract(year from {{ start_date }})
        - case
            when extract(month from {{ end_date }}) * 100 + extract(day from {{ end_date }})
                < extract(month from {{ start_date }}) * 100 + extract(day from {{ start_date }})
                then 1
            else 0
        end
        as integer
    )
{%- endmacro %}

{#- A stable, one-way fingerprint of a secret (coupon codes, payment method ids). -#}
{% macro hash_secret(expression) -%}
    {{ return(adapter.dispatch('hash_secret', 'tiktok_one_warehouse')(expression)) }}
{%- endmacro %}
{% macro duckdb__hash_secret(expression) -%}
    sha256(cast({{ expression }} as string))
{%- endmacro %}
{% macro spark__hash_secret(expression) -%}
    sha2(cast({{ expression }} as string), 256)
{%- endmacro %}

{#- A fingerprint of a whole row, to tell identical duplicates from conflicting ones. -#}
{% macro row_fingerprint(columns) -%}
    {{ return(adapter.dispatch('row_fingerprint', 'tiktok_one_warehouse')(columns)) }}
{%- endmacro %}
{% macro duckdb__row_fingerprint(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__row_fingerprint(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{#-
    Joins each row of `relation` to the rate of its currency with the latest rate_date on or
    before `day_column`: `usd_per_unit`, 1.0 for USD, null with no usable rate (quarantined).
    A range join to each rate's days [rate_date, next rate_date), which every engine runs.
-#}
{% macro join_latest_fx_rate(relation, fx_relation, currency_column, day_column) -%}
    select
        {{ relation }}.*,
        case
            when {{ relation }}.{{ currency_column }} = 'USD' then 1.0
            else {{ fx_relation }}.usd_per_unit
        end as usd_per_unit
    from {{ relation }}
    left join (
        select
            currency,
            rate_date,
            usd_per_unit,
            lead(rate_date) over (partition by currency order by rate_date) as next_rate_date
        from {{ fx_relation }}
    ) as {{ fx_relation }}
        on {{ relation }}.{{ currency_column }} = {{ fx_relation }}.currency
        and {{ relation }}.{{ day_column }} >= {{ fx_relation }}.rate_date
        and ({{ relation }}.{{ day_column }} < {{ fx_relation }}.next_rate_date
            or {{ fx_relation }}.next_rate_date is null)
{%- endmacro %}

{#- One row per day (or month, step '1 month') from start to end: a set-returning select
    expression of dates, written `{{ explode_days(a, b) }} as date_day`. -#}
{% macro explode_days(start_date, end_date, step='1 day') -%}
    {{ return(adapter.dispatch('explode_days', 'tiktok_one_warehouse')(start_date, end_date, step)) }}
{%- endmacro %}
{% macro duckdb__explode_days(start_date, end_date, step) -%}
    cast(unnest(generate_series(cast({{ start_date }} as date), cast({{ end_date }} as date), interval {{ step }})) as date)
{%- endmacro %}
{% macro spark__explode_days(start_date, end_date, step) -%}
    {#- No rows when the end is before the start (sequence would stop the query). -#}
    explode(case when cast({{ start_date }} as date) <= cast({{ end_date }} as date) then
        sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval {{ step }}) end)
{%- endmacro %}

{#- A CTE read twice that should not be computed once and copied whole (DuckDB materialises
    such a CTE before any filter of its readers runs; Spark never does). -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'tiktok_one_warehouse')()) }}
{%- endmacro %}
{% macro duckdb__not_materialized() -%} not materialized {%- endmacro %}
{% macro default__not_materialized() -%}{%- endmacro %}

{#-
    Joins each row of `relation` to the tier its `spend_column` reaches under the rules in
    effect on its `day_column` (`rules_relation`: int_tier_rules_daily, one row per day and tier
    with the tier's minimum and the next tier's): the tier whose band [minimum, next minimum)
    holds the spend, null below every minimum. An equality join on the day to a few thousand
    rules rows, the band a filter of it: as cheap as a range join to a handful of bands, and
    unlike a range join to dated bands it sorts nothing, however many times the rules changed.
-#}
{% macro join_tier_reached(relation, rules_relation, spend_column, day_column) -%}
    left join {{ rules_relation }}
        on {{ relation }}.{{ day_column }} = {{ rules_relation }}.date_day
        and {{ relation }}.{{ spend_column }} >= {{ rules_relation }}.min_rolling_30d_spend_usd
        and ({{ relation }}.{{ spend_column }} < {{ rules_relation }}.next_tier_min_rolling_30d_spend_usd
            or {{ rules_relation }}.next_tier_min_rolling_30d_spend_usd is null)
{%- endmacro %}

{#- What `amount` lacks to reach `target`: 0 when it already does, null when either is null
    (greatest() would skip a null target). -#}
{% macro amount_short(target, amount) -%}
    (case when {{ amount }} >= {{ target }} then 0 else {{ target }} - {{ amount }} end)
{%- endmacro %}

{#- A USD amount rounded up to the cent: spending the figure shown is never a fraction short. -#}
{% macro cents_up(expression) -%}
    cast(cast(ceil(({{ expression }}) * 100) as decimal(18, 0)) * 0.01 as decimal(18, 2))
{%- endmacro %}

{#- The day `months` calendar months after the day (negative: before); a day past the end of
    the target month is clamped to its last day (2026-08-31 minus 6 months is 2026-02-28). -#}
{% macro add_months(date_expression, months) -%}
    {{ return(adapter.dispatch('add_months', 'tiktok_one_warehouse')(date_expression, months)) }}
{%- endmacro %}
{% macro duckdb__add_months(date_expression, months) -%}
    cast(({{ date_expression }}) + to_months(cast({{ months }} as integer)) as date)
{%- endmacro %}
{% macro spark__add_months(date_expression, months) -%}
    add_months({{ date_expression }}, cast({{ months }} as integer))
{%- endmacro %}

{#- The first day of the calendar month holding the day (or timestamp). -#}
{% macro month_start(date_expression) -%}
    cast({{ dbt.date_trunc('month', date_expression) }} as date)
{%- endmacro %}

{#- The last day a credit is active (RULES.md section 9): the last day D whose start is before
    expires_at, i.e. the day before expires_at when it falls exactly at midnight. -#}
{% macro last_active_day(expires_at_expression) -%}
    cast(({{ expires_at_expression }}) - interval 1 microsecond as date)
{%- endmacro %}
