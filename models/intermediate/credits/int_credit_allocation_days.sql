{#-
    The account days on which credits can take spend: days with spend (any campaign, USD, as
    known at the as-of date) that a credit of the account covers (int_account_credit_periods:
    from its issue day to its expiry day), up to the as-of date (later spend is not known yet).
    Days outside every credit's range need no allocation and are left out; the expiry day of a
    credit expiring at midnight is kept, although no credit may be active on it, so that the
    daily balances find every covered day's spend here.

    Incremental by day: a day's row reads only that day (recompute_window.sql).
-#}
{{ day_window_config() }}

with

periods as (
    select * from {{ ref('int_account_credit_periods') }}
    {% if is_incremental() %}
    where covered_to >= {{ recompute_from() }}
    {% endif %}
),

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    {% endif %}
),

final as (
    select
        spend_daily.account_id,
        spend_daily.date_day,
        cast(spend_daily.any_spend_usd as decimal(18, 6)) as spend_usd
    from spend_daily
    -- A semi join on the account with the range as a condition, so that the spend days are
    -- only probed, never grouped.
    semi join periods
        on spend_daily.account_id = periods.account_id
        and spend_daily.date_day between periods.covered_from and periods.covered_to
    where spend_daily.any_spend_usd > 0
        and spend_daily.date_day <= {{ as_of_date() }}
)

select * from final
