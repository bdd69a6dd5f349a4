{{ config(materialized='table') }}

{#-
    One rate per currency and day, from the currency's first rate_date to the latest day that
    any spend row (reported no later than the day after it) or rate covers: the rate whose rate_date is the latest on or before
    the day (RULES.md conventions). Converting spend is then an equality join on
    (currency, day) instead of a search per spend row. Days before a currency's first rate
    have no row, so their spend has no usable rate.

    The horizon reads only the spend rows dated on or after the latest rate (a date literal, so
    that DuckDB skips the older row groups): a spend day before it is covered anyway.
-#}
{%- set latest_rate = none -%}
{%- if execute -%}
    {%- set latest_rate = run_query("select cast(max(rate_date) as string) from " ~ ref('stg_reference__fx_rates')).columns[0].values()[0] -%}
{%- endif %}

with

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

ad_spend as (
    select * from {{ landing_rows('ads_manager', 'ad_spend') }}
    {% if latest_rate -%}
    where cast(spend_date as date) >= cast('{{ latest_rate }}' as date)
    {%- endif %}
),

horizon as (
    select
        greatest(
            -- Spend dated after the day it was reported is quarantined: it sets no horizon.
            ({{ latest_spend_day('ad_spend') }}),
            (select max(rate_date) from fx_rates)
        ) as last_day
),

currency_ranges as (
    select
        fx_rates.currency,
        min(fx_rates.rate_date) as first_day,
        max(horizon.last_day) as last_day
    from fx_rates
    cross join horizon
    group by fx_rates.currency
),

currency_days as (
    select
        currency,
        {{ explode_days('first_day', 'last_day') }} as rate_day
    from currency_ranges
),

final as (
    {{ join_latest_fx_rate('currency_days', 'fx_rates', 'currency', 'rate_day') }}
)

select
    currency,
    rate_day,
    usd_per_unit
from final
