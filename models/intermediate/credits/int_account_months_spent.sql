{#-
    Calendar months of each account that spent, from the month of its first spend to the
    as-of month, with how many of the 6 calendar months before each month had spend
    (RULES.md section 10: spend in each of the 6 calendar months before D's month).

    Incremental: a month's row depends on the account's first spend day and on which of it
    and the 6 months before had spend. A run recomputes each account with a recomputed spend
    day from the month of its first such day (a daily run: the current month of the accounts
    that spent), every account's new months when the as-of month moves on, and an account
    whose first spend day changed from its first month; everything on a first or full
    build, after a change to this SQL, or when the as-of month went back.
-#}
{%- set continued = account_months_spent_continued() -%}

-- depends_on: {{ ref('int_account_spend_daily') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_recomputed_account_months() }}",
    post_hook="{{ save_inputs(account_months_spent_inputs) }}",
) }}

with

spent_months as (
    select * from {{ ref('int_account_spend_months') }}
),

{% if continued %}
recomputed as (
    {{ account_months_recomputed() }}
),

-- The months recomputed, and the 6 before them that their look-back reads.
month_spine as (
    select
        account_id,
        first_spend_on,
        recompute_from,
        cast(unnest(generate_series(
            greatest({{ month_start('first_spend_on') }}, {{ add_months('recompute_from', -6) }}),
            {{ month_start(as_of_date()) }},
            interval 1 month
        )) as date) as month_start_on,
    from recomputed
    where first_spend_on is not null
),
{% else %}
first_spend as (
    select
        account_id,
        min(first_spend_in_month_on) as first_spend_on,
    from spent_months
    group by account_id
),

month_spine as (
    select
        account_id,
        first_spend_on,
        {{ month_start('first_spend_on') }} as recompute_from,
        cast(unnest(generate_series(
            {{ month_start('first_spend_on') }},
            {{ month_start(as_of_date()) }},
            interval 1 month
        )) as date) as month_start_on,
    from first_spend
),
{% endif %}

flagged as (
    select
        month_spine.account_id,
        month_spine.month_start_on,
        month_spine.first_spend_on,
        month_spine.recompute_from,
        spent_months.account_id is not null as has_spend,
    from month_spine
    left join spent_months
        on month_spine.account_id = spent_months.account_id
        and month_spine.month_start_on = spent_months.month_start_on
),

final as (
    select
        account_id,
        month_start_on,
        first_spend_on,
        has_spend,
        -- The spine is dense, so 6 rows are 6 calendar months.
        cast(coalesce(sum(case when has_spend then 1 else 0 end) over (
            partition by account_id
            order by month_start_on
            rows between 6 preceding and 1 preceding
        ), 0) as integer) as months_with_spend_in_prior_6,
    from flagged
    qualify month_start_on >= recompute_from
)

select * from final
