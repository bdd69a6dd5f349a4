{#-
    Downgrade warnings (RULES.md section 4): on the first day of a streak with a tier above
    none and 25 or more days below it. Each warning looks at the 30 days after the last day
    at tier L (L+1 .. L+30): the days up to the warning give the projected tier, the days
    after it the first recovery; with none by L+30 the downgrade lands on L+30.

    Incremental: a warning depends on the tier rows of its day and of L+1 .. L+30, and on
    the as-of date only through days that are new tier days. A run plans the tier days that
    changed since its last build (planned_tier_days against this model's own saved inputs,
    as the tier engine plans its days), raises warnings again on those days, watches again
    the saved warnings whose days L+1 .. L+30 meet them (replacing them), and keeps the
    others. Everything is recomputed on a first or full build, when the SQL or the tier
    thresholds changed, or when the as-of date went back.
-#}
{%- set rebuilt = downgrade_warnings_rebuilt() -%}

-- depends_on: {{ ref('stg_ads_manager__accounts') }}, {{ ref('int_account_spend_daily') }}, {{ ref('tier_thresholds') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['account_id', 'warning_date'],
    on_schema_change='fail',
    pre_hook="{{ delete_recomputed_downgrade_warnings() }}",
    post_hook="{{ save_inputs(downgrade_warnings_inputs) }}",
) }}

with

-- Read twice (the days raised on and the days watched): not materialized, so that each
-- read keeps its own filter instead of copying every tier day first.
tiers as not materialized (
    select * from {{ ref('fct_account_tier_daily') }}
),

{% if not rebuilt %}
planned as (
    {{ planned_tier_days(this.identifier, this.schema).sql }}
),
{% endif %}

raised as (
    select
        account_id,
        date_day as warning_date,
        tier_rank as tier_at_risk_rank,
        {{ add_days('last_day_at_tier', 1) }} as below_since,
        {{ add_days('last_day_at_tier', 30) }} as scheduled_downgrade_date,
    from tiers
    {% if not rebuilt %}
    semi join planned
        on tiers.account_id = planned.account_id
        and tiers.date_day between planned.recompute_from and planned.recompute_to
    {% endif %}
    where tier_rank > 0
        and days_below_tier >= 25
        and not coalesce(
            previous_tier_rank = tier_rank and previous_days_below_tier >= 25,
            false
        )
        {% if not rebuilt %}
        -- A bound the scan can skip row groups with: a daily run reads its new day only.
        and date_day >= (select min(recompute_from) from planned)
        {% endif %}
),

{% if not rebuilt %}
-- Saved warnings raised outside the planned days whose watched days meet them.
rewatched as (
    select
        saved.account_id,
        saved.warning_date,
        saved.tier_at_risk_rank,
        saved.below_since,
        saved.scheduled_downgrade_date,
    from {{ this }} as saved
    semi join planned
        on saved.account_id = planned.account_id
        and saved.below_since <= planned.recompute_to
        and saved.scheduled_downgrade_date >= planned.recompute_from
    anti join planned as raised_again
        on saved.account_id = raised_again.account_id
        and (raised_again.replaces_all_days
            or saved.warning_date between raised_again.recompute_from and raised_again.recompute_to)
),

watched_warnings as (
    select * from raised
    union all
    select * from rewatched
),
{% else %}
watched_warnings as (
    select * from raised
),
{% endif %}

-- The 30 days L+1 .. L+30 of each warning, as equality keys for a cheap join to the tiers.
watched_days as (
    select
        watched_warnings.*,
        {{ add_days('watched_warnings.below_since', 'day_offset') }} as date_day,
    from watched_warnings
    cross join range(0, 30) as day_offsets(day_offset)
),

watched_tiers as (
    select * from tiers
    -- A bound the scan can skip row groups with: a daily run reads recent days only.
    where date_day >= (select min(below_since) from watched_warnings)
),

watched as (
    select
        watched_days.account_id,
        watched_days.warning_date,
        max(case when tiers.date_day <= watched_days.warning_date then tiers.qualified_tier_rank end)
            as projected_tier_rank,
        min(case
            when tiers.date_day > watched_days.warning_date
                and tiers.qualified_tier_rank >= watched_days.tier_at_risk_rank
                then tiers.date_day
        end) as recovered_on,
    from watched_days
    inner join watched_tiers as tiers
        on watched_days.account_id = tiers.account_id
        and watched_days.date_day = tiers.date_day
    group by watched_days.account_id, watched_days.warning_date
),

final as (
    select
        watched_warnings.account_id,
        watched_warnings.warning_date,
        watched_warnings.tier_at_risk_rank,
        watched.projected_tier_rank,
        watched_warnings.below_since,
        watched_warnings.scheduled_downgrade_date,
        case
            when watched.recovered_on is not null then 'recovered'
            when watched_warnings.scheduled_downgrade_date <= {{ as_of_date() }} then 'downgraded'
            else 'pending'
        end as outcome,
        case
            when watched.recovered_on is not null then watched.recovered_on
            when watched_warnings.scheduled_downgrade_date <= {{ as_of_date() }} then watched_warnings.scheduled_downgrade_date
        end as resolved_on,
    from watched_warnings
    inner join watched
        on watched_warnings.account_id = watched.account_id
        and watched_warnings.warning_date = watched.warning_date
)

select * from final
