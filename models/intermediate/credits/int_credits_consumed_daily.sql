{#-
    How much of each credit each day's spend used (RULES.md section 9). See the doc block
    int_credits_consumed_daily; in short:

    Each day the account's active credits take the day's spend one after the other in
    allocation_rank order, each taking its share of what the credits before it left:
    discount_pct of it for a discount coupon, all of it for a free credit (a free credit is a
    100 % coupon), never more than what it has left. So credit k only sees the spend left by
    credits 1..k-1 on each day, and on its own it is a single pot drawn down over days:
    with claim(t) its share of day t's leftover spend and C(t) the running sum of claims,
    it consumes min(cap, C(t)) - min(cap, C(t) - claim(t)) on day t.

    The recursion therefore runs over allocation_rank (the number of credits of an account),
    not over days: step k turns every account's leftover spend per day after credit k-1 into
    the consumption of credit k, for all accounts at once, with one window sum per step.
-#}

with recursive

allocation_days as (
    select * from {{ ref('int_credit_allocation_days') }}
),

credits as (
    select * from {{ ref('int_credits_issued') }}
),

ranked_credits as (
    select
        account_id,
        allocation_rank,
        credit_id,
        credit_type,
        discount_pct,
        amount_usd as capacity_usd,
        first_active_on,
        last_active_on,
        -- The days later-ranked credits can still use: other days leave the working set.
        min(first_active_on) over later_credits as later_credits_first_on,
        max(last_active_on) over later_credits as later_credits_last_on,
    from credits
    window later_credits as (
        partition by account_id
        order by allocation_rank
        rows between 1 following and unbounded following
    )
),

-- A row of step k: the day's spend left for credit k (after credits 1..k-1), what credit k
-- took of it, and whether a later credit can still use the day.
allocated (allocation_rank, account_id, date_day, credit_id, spend_left_usd, consumed_usd, keep_day) as (
    select
        0,
        account_id,
        date_day,
        cast(null as varchar),
        cast(spend_usd as decimal(18, 6)),
        cast(0 as decimal(18, 6)),
        true,
    from allocation_days

    union all

    -- One reference to the previous step: the running claim is a window over it.
    select
        allocation_rank,
        account_id,
        date_day,
        credit_id,
        spend_left_usd,
        consumed_usd,
        date_day between later_credits_first_on and later_credits_last_on,
    from (
        select
            *,
            cast(
                least(capacity_usd, cumulative_claim_usd)
                - least(capacity_usd, cumulative_claim_usd - claim_usd)
                as decimal(18, 6)
            ) as consumed_usd,
        from (
            select
                *,
                sum(claim_usd) over (
                    partition by account_id
                    order by date_day
                    rows between unbounded preceding and current row
                ) as cumulative_claim_usd,
            from (
                select
                    ranked_credits.allocation_rank,
                    previous_step.account_id,
                    previous_step.date_day,
                    ranked_credits.credit_id,
                    ranked_credits.capacity_usd,
                    ranked_credits.later_credits_first_on,
                    ranked_credits.later_credits_last_on,
                    -- What the previous credit left of the day's spend.
                    cast(previous_step.spend_left_usd - previous_step.consumed_usd as decimal(18, 6))
                        as spend_left_usd,
                    case
                        when previous_step.date_day < ranked_credits.first_active_on
                            or previous_step.date_day > ranked_credits.last_active_on
                            then cast(0 as decimal(18, 6))
                        when ranked_credits.credit_type = 'discount_coupon'
                            then cast(
                                (previous_step.spend_left_usd - previous_step.consumed_usd)
                                * ranked_credits.discount_pct * 0.01
                                as decimal(18, 6)
                            )
                        else cast(previous_step.spend_left_usd - previous_step.consumed_usd as decimal(18, 6))
                    end as claim_usd,
                from allocated as previous_step
                inner join ranked_credits
                    on previous_step.account_id = ranked_credits.account_id
                    and previous_step.allocation_rank + 1 = ranked_credits.allocation_rank
                where previous_step.keep_day
            ) as claims
        ) as running_claims
    ) as consumption
),

final as (
    select
        credit_id,
        account_id,
        allocation_rank,
        date_day as consumed_on,
        consumed_usd,
    from allocated
    where allocation_rank > 0
        and consumed_usd > 0
)

select * from final
