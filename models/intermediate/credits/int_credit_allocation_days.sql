{#-
    The account days on which credits can take spend: days with spend (any campaign, USD, as
    known at the as-of date) on which at least one of the account's credits is active, up to
    the as-of date (later spend is not known yet). Days outside every credit's active range
    need no allocation and are left out.

    Incremental by day: a day's row reads only that day (recompute_window.sql).
-#}
{{ day_window_config() }}

with

credits as (
    select * from {{ ref('int_credits_issued') }}
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
    semi join credits
        on spend_daily.account_id = credits.account_id
        and spend_daily.date_day between credits.first_active_on and credits.last_active_on
    where spend_daily.any_spend_usd > 0
        and spend_daily.date_day <= {{ as_of_date() }}
)

select * from final
