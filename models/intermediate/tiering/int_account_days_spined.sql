{{ config(materialized='view') }}

{#-
    The account-days a build needs for the tier days it recomputes: a dense spine per planned
    range, from 59 days before the range (what its first day depends on; never before J-29,
    where the first rolling window starts) to its end. A day with no spend rows is zero
    spend. `is_recomputed` marks the range's own days; the days before are read only.
-#}

with

planned as (
    select * from {{ ref('int_account_tier_days_planned') }}
    where recompute_to is not null
),

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
    -- A bound the scan can skip row groups with: a daily run reads its last 60 days only.
    where date_day >= (
        select min(greatest({{ add_days('joined_on', -29) }}, {{ add_days('recompute_from', -59) }}))
        from planned
    )
),

spine as (
    select
        account_id,
        joined_on,
        recompute_from,
        cast(unnest(generate_series(
            greatest({{ add_days('joined_on', -29) }}, {{ add_days('recompute_from', -59) }}),
            recompute_to,
            interval 1 day
        )) as date) as date_day,
    from planned
),

spined as (
    select
        spine.account_id,
        spine.date_day,
        spine.joined_on,
        spine.recompute_from,
        spine.date_day >= spine.recompute_from as is_recomputed,
        coalesce(spend_daily.spend_usd, 0) as spend_usd,
        coalesce(spend_daily.any_spend_usd, 0) as any_spend_usd,
    from spine
    left join spend_daily
        on spine.account_id = spend_daily.account_id
        and spine.date_day = spend_daily.date_day
)

select * from spined
