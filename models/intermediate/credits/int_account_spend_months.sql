{#-
    The calendar months in which each account spent (any creative, any day; RULES.md
    section 10 counts months with spend), with the first spend day of each.
-#}

with

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
),

spent_months as (
    select
        account_id,
        {{ month_start('date_day') }} as month_start_on,
        min(date_day) as first_spend_in_month_on
    from spend_daily
    where any_spend_usd > 0
    group by account_id, {{ month_start('date_day') }}
),

final as (
    select * from spent_months
)

select * from final
