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

    consumed_to_date_usd is min(cap, C(t)): what the credit has used up to the end of the day,
    unrounded (the ledger rounds it).

    Incremental by day: a day's consumption depends only on that day's spend and on what each
    credit had used before it, so the stored days before the window stand. A run recomputes
    the days of the window (recompute_window.sql); a credit alive across the window's start
    starts from its consumed_to_date_usd on its last stored day before the window, which is
    min(cap, C) there, as the sum of its claims would give.
-#}
-- depends_on: {{ ref('int_as_of_date') }}
{{ day_window_config() }}
{%- set steps = var('credit_allocation_steps') -%}
{%- if steps is none and execute -%}
    {%- set steps = run_query("select coalesce(max(allocation_rank), 0) from " ~ ref('int_credits_issued')).columns[0].values()[0] -%}
{%- endif -%}
{%- set steps = (steps or 0) | int %}

with

allocation_days as (
    select * from {{ ref('int_credit_allocation_days') }}
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    {% endif %}
),

credits as (
    select * from {{ ref('int_credits_issued') }}
),

-- What each credit alive at the window's start had used before it.
carried as (
    {% if is_incremental() %}
    select
        credit_id,
        max(consumed_to_date_usd) as consumed_to_date_usd
    from {{ this }}
    where date_day < {{ recompute_from() }}
        and date_day >= (
            select min(first_active_on) from credits
            where last_active_on >= {{ recompute_from() }}
        )
    group by credit_id
    {% else %}
    select
        cast(null as string) as credit_id,
        cast(null as decimal(18, 6)) as consumed_to_date_usd
    where false
    {% endif %}
),

ranked_credits as (
    select
        credits.account_id,
        credits.allocation_rank,
        credits.credit_id,
        credits.credit_type,
        credits.discount_pct,
        credits.amount_usd as capacity_usd,
        cast(coalesce(carried.consumed_to_date_usd, 0) as decimal(18, 6)) as carried_consumed_usd,
        credits.first_active_on,
        credits.last_active_on,
        -- The days later-ranked credits can still use: other days leave the working set.
        min(credits.first_active_on) over later_credits as later_credits_first_on,
        max(credits.last_active_on) over later_credits as later_credits_last_on
    from credits
    left join carried
        on credits.credit_id = carried.credit_id
    window later_credits as (
        partition by credits.account_id
        order by credits.allocation_rank
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
        cast(0 as decimal(18, 6)) as consumed_to_date_usd,
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
        cast(least(capacity_usd, cumulative_claim_usd) as decimal(18, 6)) as consumed_to_date_usd,
        date_day between later_credits_first_on and later_credits_last_on as keep_day
    from (
        select
            *,
            carried_consumed_usd + sum(claim_usd) over (
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
                ranked_credits.carried_consumed_usd,
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
        date_day,
        consumed_usd,
        consumed_to_date_usd
    from allocated
    where consumed_usd > 0
)

select * from final
