{#-
    Rolling spend over the last `rolling_spend_days` days ([D-29, D]) and the qualifying spend
    of RULES.md section 3: any creative during the first `historical_basis_days` days in
    TikTok One ([J, J+29], history before J included), TikTok One creatives from J+30 on. One
    row per member and day from the join day J to the as-of date; a day without spend rows is
    a day of zero spend. The day counts come from the seed tier_day_counts.

    Incremental by day: a run recomputes the days of the window (recompute_window.sql), which
    read the stored spend of the days before it.
-#}
-- depends_on: {{ ref('tier_day_counts') }}
{{ day_window_config() }}
{%- set rolling_days = tier_day_count('rolling_spend_days') -%}
{%- set basis_days = tier_day_count('historical_basis_days') %}

with

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
    {% if is_incremental() %}
    where date_day >= {{ add_days(recompute_from(), 1 - rolling_days) }}
    {% endif %}
),

members as (
    select
        account_id,
        tiktok_one_joined_on as joined_on
    from accounts
    where tiktok_one_joined_on <= {{ as_of_date() }}
),

-- Dense days per member, from the first day its first rolling window reads.
spine as (
    select
        account_id,
        joined_on,
        {%- set first_read_day = add_days('joined_on', 1 - rolling_days) %}
        {%- if is_incremental() %}
        {%- set first_read_day = 'greatest(' ~ first_read_day ~ ', ' ~ add_days(recompute_from(), 1 - rolling_days) ~ ')' %}
        {%- endif %}
        {{ explode_days(first_read_day, as_of_date()) }} as date_day
    from members
),

spined as (
    select
        spine.account_id,
        spine.date_day,
        spine.joined_on,
        coalesce(spend_daily.spend_usd, 0) as spend_usd,
        coalesce(spend_daily.any_spend_usd, 0) as any_spend_usd
    from spine
    left join spend_daily
        on spine.account_id = spend_daily.account_id
        and spine.date_day = spend_daily.date_day
),

rolled as (
    select
        *,
        sum(spend_usd) over trailing_window as rolling_30d_tiktok_one_spend_usd,
        sum(any_spend_usd) over trailing_window as rolling_30d_any_spend_usd
    from spined
    -- The spine is dense, so rows are days.
    window trailing_window as (
        partition by account_id
        order by date_day
        rows between {{ rolling_days - 1 }} preceding and current row
    )
),

final as (
    select
        account_id,
        date_day,
        joined_on,
        spend_usd,
        any_spend_usd,
        rolling_30d_tiktok_one_spend_usd,
        rolling_30d_any_spend_usd,
        case
            when date_day < {{ add_days('joined_on', basis_days) }} then 'historical_any_creative'
            else 'tiktok_one_creative'
        end as spend_basis,
        case
            when date_day < {{ add_days('joined_on', basis_days) }} then rolling_30d_any_spend_usd
            else rolling_30d_tiktok_one_spend_usd
        end as qualifying_spend_usd
    from rolled
    where date_day >= joined_on
        {% if is_incremental() %}
        and date_day >= {{ recompute_from() }}
        {% endif %}
)

select * from final
