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

    The steps therefore run over allocation_rank (the number of credits of an account), not
    over days: step k turns every account's leftover spend per day after credit k-1 into the
    consumption of credit k, for all accounts at once, with one window sum per step. The steps
    are written out, one CTE each (engines without window functions in a recursive CTE need
    that), as many as the most credits an account has (var `credit_allocation_steps` to fix).
-#}
{%- set steps = var('credit_allocation_steps') -%}
{%- if steps is none and execute -%}
    {%- set steps = run_query("select coalesce(max(allocation_rank), 0) from " ~ ref('int_credits_issued')).columns[0].values()[0] -%}
{%- endif -%}
{%- set steps = (steps or 0) | int %}

with

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
        max(last_active_on) over later_credits as later_credits_last_on
    from credits
    window later_credits as (
        partition by account_id
        order by allocation_rank
        rows between 1 following and unbounded following
    )
),

-- Step 0: each day's spend, none of it taken yet.
step_0 as (
    select
        0 as allocation_rank,
        account_id,
        date_day,
        cast(null as string) as credit_id,
        cast(spend_usd as decimal(18, 6)) as spend_left_usd,
        cast(0 as decimal(18, 6)) as consumed_usd,
        true as keep_day
    from allocation_days
),
{% for step in range(1, steps + 1) %}
-- Step {{ step }}: the day's spend left for credit {{ step }} (after credits before it), what it
-- took of it, and whether a later credit can still use the day.
step_{{ step }} as (
    select
        allocation_rank,
        account_id,
        date_day,
        credit_id,
        spend_left_usd,
        cast(
            least(capacity_usd, cumulative_claim_usd)
            - least(capacity_usd, cumulative_claim_usd - claim_usd)
            as decimal(18, 6)
        ) as consumed_usd,
        date_day between later_credits_first_on and later_credits_last_on as keep_day
    from (
        select
            *,
            sum(claim_usd) over (
                partition by account_id
                order by date_day
                rows between unbounded preceding and current row
            ) as cumulative_claim_usd
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
                end as claim_usd
            from step_{{ step - 1 }} as previous_step
            inner join ranked_credits
                on previous_step.account_id = ranked_credits.account_id
                and ranked_credits.allocation_rank = {{ step }}
            where previous_step.keep_day
        ) as claims
    ) as running_claims
),
{% endfor %}
allocated as (
    {%- for step in range(1, steps + 1) %}
    select * from step_{{ step }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if steps == 0 %}
    select * from step_0 where false
    {%- endif %}
),

final as (
    select
        credit_id,
        account_id,
        allocation_rank,
        date_day as consumed_on,
        consumed_usd
    from allocated
    where consumed_usd > 0
)

select * from final
