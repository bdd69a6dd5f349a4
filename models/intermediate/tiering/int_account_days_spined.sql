{{ config(materialized='view') }}

{#-
    The account-days a build needs for the tier days it recomputes: a dense spine per planned
    range, from 30 days before the range to its end (never before J-29, where the first
    rolling window starts). A day with no spend rows is zero spend. `is_recomputed` marks the
    range's own days; the days before are read only.

    The range's first day reads 30 days of spend (q) and the q of the 30 days before it (t,
    and t the day before). Those q are not recomputed from 59 days of spend: for a range that
    is not replanned whole they are the stored `qualified_tier_rank` of fct_account_tier_daily
    (`stored_qualified_tier_rank`), which depend only on spend before the range. Ranges of one
    account are planned at least 31 days apart (planned_tier_days), so these days are never
    recomputed in the same build. A first or full build (every range replanned whole) reads
    nothing stored.
-#}

{%- set stored_tier_days = none -%}
{%- if execute and not flags.FULL_REFRESH and model.resource_type != 'unit_test' -%}
    {%- set stored_tier_days = adapter.get_relation(
        database=this.database, schema='marts', identifier='fct_account_tier_daily') -%}
{%- endif %}

with

planned as (
    select * from {{ ref('int_account_tier_days_planned') }}
    where recompute_to is not null
),

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
    -- A bound the scan can skip row groups with: a daily run reads its last 30 days only.
    where date_day >= (
        select min(greatest({{ add_days('joined_on', -29) }}, {{ add_days('recompute_from', -30) }}))
        from planned
    )
),

spine as (
    select
        account_id,
        joined_on,
        recompute_from,
        cast(unnest(generate_series(
            greatest({{ add_days('joined_on', -29) }}, {{ add_days('recompute_from', -30) }}),
            recompute_to,
            interval 1 day
        )) as date) as date_day,
    from planned
),

{% if stored_tier_days is not none %}
-- The stored q of the read-only days before the ranges of accounts not replanned whole.
stored as (
    select
        stored.account_id,
        stored.date_day,
        stored.qualified_tier_rank,
    from {{ stored_tier_days }} as stored
    semi join planned
        on stored.account_id = planned.account_id
        and not planned.replaces_all_days
    where stored.date_day >= (
        select min(greatest(joined_on, {{ add_days('recompute_from', -30) }}))
        from planned
        where not replaces_all_days
    )
),
{% endif %}

spined as (
    select
        spine.account_id,
        spine.date_day,
        spine.joined_on,
        spine.recompute_from,
        spine.date_day >= spine.recompute_from as is_recomputed,
        coalesce(spend_daily.spend_usd, 0) as spend_usd,
        coalesce(spend_daily.any_spend_usd, 0) as any_spend_usd,
        {% if stored_tier_days is not none %}
        case when spine.date_day < spine.recompute_from then stored.qualified_tier_rank end
        {% else %}
        cast(null as integer)
        {% endif %} as stored_qualified_tier_rank,
    from spine
    left join spend_daily
        on spine.account_id = spend_daily.account_id
        and spine.date_day = spend_daily.date_day
    {% if stored_tier_days is not none %}
    left join stored
        on spine.account_id = stored.account_id
        and spine.date_day = stored.date_day
    {% endif %}
)

select * from spined
