{#-
    The account days on which credits can take spend: days with spend (any campaign, USD, as
    known at the as-of date) on which at least one of the account's credits is active, up to
    the as-of date (later spend is not known yet). Days outside every credit's active range
    need no allocation and are left out.

    Incremental: a row depends only on its own spend day and the account's credits' active
    days. A run recomputes the spend days int_account_spend_daily recomputed since the last
    build or that the as-of date now reaches, and the days in the old or new active range of
    each credit that changed (a daily run: the new day, and the first days of the credits
    issued that day); everything on a first or full build, after a change to the credit
    chain's SQL, or when the as-of date went back.
-#}
{%- set rebuilt = credit_chain_rebuilt() -%}

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_recomputed_allocation_days(credit_chain_rebuilt()) }}",
    post_hook="{{ save_inputs(credit_chain_inputs) }}",
) }}

with

credits as (
    select * from {{ ref('int_credits_issued') }}
),

{% if rebuilt %}
spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
),
{% else %}
spend_days_refreshed as (
    {{ spend_days_refreshed() }}
),

credits_changed as (
    {{ credits_changed() }}
),

-- The recomputed days: a bound the scan can skip row groups with, then the days themselves.
spend_daily as (
    select spend_daily.*
    from {{ ref('int_account_spend_daily') }} as spend_daily
    where spend_daily.date_day >= {{ allocation_days_recomputed_from(
            'select * from spend_days_refreshed', 'select * from credits_changed') }}
        and (
            (spend_daily.account_id, spend_daily.date_day) in (select * from spend_days_refreshed)
            or exists (
                select 1 from credits_changed
                where credits_changed.account_id = spend_daily.account_id
                    and spend_daily.date_day between credits_changed.first_active_on and credits_changed.last_active_on
            )
        )
),
{% endif %}

final as (
    select
        spend_daily.account_id,
        spend_daily.date_day,
        cast(spend_daily.any_spend_usd as decimal(18, 6)) as spend_usd,
    from spend_daily
    -- A semi join on the account with the range as a condition, so that the spend days are
    -- only probed, never grouped.
    semi join credits
        on spend_daily.account_id = credits.account_id
        and spend_daily.date_day between credits.first_active_on and credits.last_active_on
    where spend_daily.any_spend_usd > 0
        and spend_daily.date_day <= {{ as_of_date() }}
)

select * from final
