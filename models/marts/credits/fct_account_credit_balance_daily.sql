{#-
    Each account's credit balance at the end of each day, over a dense range of days: from
    the day its first credit was issued to the day its last credit expired, or to the as-of
    date while one is still live. Days between two credit periods are kept with a zero
    balance; after an account's last row its balance is zero. Amounts are the ledger's cents.

    Incremental: the balances are running sums, so a day's row depends only on the day
    before and the day's own ledger sums and spend. A run recomputes each changed account
    from its first changed day (see credit_balance_changes: ledger sums, recomputed spend, or
    the end of its range moved, as when the as-of date adds a day), carrying the balances of
    the day before; an account whose first day moved is recomputed whole. A first or full
    build, or a change to this SQL, recomputes every account from its first day. The pre-hook
    sums the ledger and finds the changes once, into temporary tables that the delete, this
    query and the saved inputs all read (run_table).
-#}
{%- set continued = credit_balance_continued() -%}

{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_credit_balance_days() }}",
    post_hook="{{ save_credit_balance_inputs() }}",
) }}

with

-- The days recomputed per account, with the balances carried from the day before them.
{% if continued %}
recomputed_ranges as (
    select
        changed.account_id,
        changed.recompute_from as first_day,
        changed.last_day,
        coalesce(carried.free_credit_balance_usd, 0) as carried_free_credit_usd,
        coalesce(carried.discount_coupon_balance_usd, 0) as carried_discount_coupon_usd,
    from {{ run_table('changes') }} as changed
    left join {{ this }} as carried
        on changed.account_id = carried.account_id
        and carried.date_day = {{ add_days('changed.recompute_from', -1) }}
        and not changed.replaces_all_days
    where changed.recompute_from <= changed.last_day
),
{% else %}
recomputed_ranges as (
    select
        account_id,
        first_day,
        last_day,
        0 as carried_free_credit_usd,
        0 as carried_discount_coupon_usd,
    from ({{ credit_balance_account_ranges() }})
),
{% endif %}

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
    -- A bound the scan can skip row groups with: a daily run reads its new days only.
    where date_day >= (select min(first_day) from recomputed_ranges)
),

day_spine as (
    select
        account_id,
        carried_free_credit_usd,
        carried_discount_coupon_usd,
        cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as date_day,
    from recomputed_ranges
),

daily_entries as (
    {% if continued %}
    select * from {{ run_table('entries') }}
    {% else %}
    {{ credit_balance_daily_entries() }}
    {% endif %}
),

running as (
    select
        day_spine.account_id,
        day_spine.date_day,
        coalesce(spend_daily.any_spend_usd, 0) as spend_usd,
        coalesce(daily_entries.issued_usd, 0) as issued_usd,
        coalesce(daily_entries.consumed_usd, 0) as consumed_usd,
        coalesce(daily_entries.discount_usd, 0) as discount_usd,
        coalesce(daily_entries.expired_usd, 0) as expired_usd,
        day_spine.carried_free_credit_usd
            + sum(coalesce(daily_entries.free_credit_change_usd, 0)) over by_day as free_credit_balance_usd,
        day_spine.carried_discount_coupon_usd
            + sum(coalesce(daily_entries.discount_coupon_change_usd, 0)) over by_day
            as discount_coupon_balance_usd,
    from day_spine
    left join daily_entries
        on day_spine.account_id = daily_entries.account_id
        and day_spine.date_day = daily_entries.entry_date
    left join spend_daily
        on day_spine.account_id = spend_daily.account_id
        and day_spine.date_day = spend_daily.date_day
    window by_day as (
        partition by day_spine.account_id
        order by day_spine.date_day
        rows between unbounded preceding and current row
    )
),

final as (
    select
        account_id,
        date_day,
        cast(round(spend_usd, 2) as decimal(18, 2)) as spend_usd,
        cast(consumed_usd as decimal(18, 2)) as credits_applied_usd,
        cast(discount_usd as decimal(18, 2)) as discount_applied_usd,
        cast(round(spend_usd, 2) - consumed_usd as decimal(18, 2)) as spend_after_credits_usd,
        cast(issued_usd as decimal(18, 2)) as issued_usd,
        cast(expired_usd as decimal(18, 2)) as expired_usd,
        cast(free_credit_balance_usd as decimal(18, 2)) as free_credit_balance_usd,
        cast(discount_coupon_balance_usd as decimal(18, 2)) as discount_coupon_balance_usd,
        cast(free_credit_balance_usd + discount_coupon_balance_usd as decimal(18, 2)) as balance_usd,
    from running
)

select * from final
