{#-
    Weekly creative requests against the cap of the tier assigned on the request's day
    (RULES.md section 5). Requests use up their ISO week's quota in requested_at order (ties
    by request_id); every creative requested earlier in the week counts, fitted or not.

    Incremental: a request's row depends on the requests of its account and ISO week and on
    the tier of its day. A run recomputes the weeks holding a request on a tier day that
    changed since the last build (planned_tier_days against this model's own saved inputs,
    as the tier engine plans its days) or a request the new as-of date made visible, and
    replaces their requests. While the request and account files are unchanged, the requests
    of those weeks are the saved rows plus the newly visible ones, read by id, so a daily
    run does not check every request ever made again. Everything is recomputed on a first or full build, when the
    requests, the accounts, the tier thresholds or the SQL changed, or when the as-of date
    went back.
-#}
{%- set rebuilt = creative_requests_rebuilt() -%}

-- depends_on: {{ ref('stg_ads_manager__accounts') }}, {{ ref('int_account_spend_daily') }}, {{ source('tiktok_one', 'creative_requests') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='request_id',
    on_schema_change='fail',
    pre_hook="{{ delete_all_unless_kept(not creative_requests_rebuilt()) }}",
    post_hook="{{ save_inputs(creative_requests_inputs) }}",
) }}

with

creative_requests as (
    select * from {{ ref('stg_tiktok_one__creative_requests') }}
),

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

{% if rebuilt %}
recomputed_requests as (
    select *
    from creative_requests
    where requested_on <= {{ as_of_date() }}
),
{% else %}
{%- set made_visible = creative_requests_made_visible() %}
-- The requests are the ones saved (their landing files did not change) and those the new
-- as-of date made visible, read by id.
made_visible as (
    select *
    from creative_requests
    {% if made_visible %}
    where request_id in ({% for request_id in made_visible %}'{{ request_id | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor %})
        and requested_on > (select as_of_date from {{ applied_input('build') }})
        and requested_on <= {{ as_of_date() }}
    {% else %}
    where false
    {% endif %}
),

-- The saved rows with the staging model's columns (the staged request, its UTC day).
saved_requests as (
    select
        request_id,
        account_id,
        project_id,
        creatives_requested,
        requested_at,
        cast(requested_at as date) as requested_on,
    from {{ this }}
),

planned_tier_days as (
    {{ planned_tier_days(this.identifier, this.schema).sql }}
),

recomputed_weeks as (
    select
        saved_requests.account_id,
        {{ iso_week_start('saved_requests.requested_on') }} as request_week,
    from saved_requests
    inner join planned_tier_days
        on saved_requests.account_id = planned_tier_days.account_id
    where planned_tier_days.replaces_all_days
        or saved_requests.requested_on
            between planned_tier_days.recompute_from and planned_tier_days.recompute_to
    union
    select
        account_id,
        {{ iso_week_start('requested_on') }},
    from made_visible
),

recomputed_requests as (
    select saved_requests.*
    from saved_requests
    semi join recomputed_weeks
        on saved_requests.account_id = recomputed_weeks.account_id
        and {{ iso_week_start('saved_requests.requested_on') }} = recomputed_weeks.request_week
    union all by name
    select * from made_visible
),
{% endif %}

tier_daily as (
    select * from {{ ref('fct_account_tier_daily') }}
    -- A bound the scan can skip row groups with: a daily run reads its recent weeks only.
    where date_day >= (select min(requested_on) from recomputed_requests)
),

with_cap as (
    select
        recomputed_requests.request_id,
        recomputed_requests.account_id,
        recomputed_requests.project_id,
        {{ iso_week_start('recomputed_requests.requested_on') }} as request_week,
        coalesce(tier_daily.tier, 'none') as tier,
        tier_thresholds.weekly_creative_cap as weekly_cap,
        recomputed_requests.creatives_requested,
        recomputed_requests.requested_at,
    from recomputed_requests
    left join tier_daily
        on recomputed_requests.account_id = tier_daily.account_id
        and recomputed_requests.requested_on = tier_daily.date_day
    inner join tier_thresholds
        on coalesce(tier_daily.tier, 'none') = tier_thresholds.tier
),

queued as (
    select
        *,
        coalesce(sum(creatives_requested) over (
            partition by account_id, request_week
            order by requested_at, request_id
            rows between unbounded preceding and 1 preceding
        ), 0) as creatives_requested_earlier_in_week,
    from with_cap
),

final as (
    select
        request_id,
        account_id,
        project_id,
        request_week,
        tier,
        weekly_cap,
        creatives_requested,
        cast(creatives_requested_earlier_in_week as integer) as creatives_requested_earlier_in_week,
        cast(greatest(0, least(creatives_requested, weekly_cap - creatives_requested_earlier_in_week))
            as integer) as creatives_within_cap,
        cast(creatives_requested
            - greatest(0, least(creatives_requested, weekly_cap - creatives_requested_earlier_in_week))
            as integer) as creatives_over_cap,
        requested_at,
    from queued
)

select * from final
