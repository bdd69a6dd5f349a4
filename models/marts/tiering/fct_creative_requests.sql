{#-
    Weekly creative requests against the cap, in effect on the request's day, of the tier
    assigned that day (RULES.md sections 5 and 14). Requests use up their ISO week's quota in
    requested_at order (ties by request_id); every creative requested earlier in the week
    counts, fitted or not.

    Incremental by request week: a run recomputes the weeks from the one holding the window's
    first day (a request's place in its week depends on the requests before it that week).
-#}
-- depends_on: {{ ref('int_as_of_date') }}
{{ day_window_config('request_week', align='week') }}

with

creative_requests as (
    select * from {{ ref('stg_tiktok_one__creative_requests') }}
),

tier_rules_daily as (
    select * from {{ ref('int_tier_rules_daily') }}
),

visible_requests as (
    select *
    from creative_requests
    where requested_on <= {{ as_of_date() }}
        {% if is_incremental() -%}
        and requested_on >= {{ recompute_from() }}
        {%- endif %}
),

tier_daily as (
    select * from {{ ref('fct_account_tier_daily') }}
    {% if is_incremental() -%}
    where date_day >= {{ recompute_from() }}
    {%- endif %}
),

with_cap as (
    select
        visible_requests.request_id,
        visible_requests.account_id,
        visible_requests.project_id,
        {{ iso_week_start('visible_requests.requested_on') }} as request_week,
        coalesce(tier_daily.tier, 'none') as tier,
        tier_rules_daily.weekly_creative_cap as weekly_cap,
        visible_requests.creatives_requested,
        visible_requests.requested_at
    from visible_requests
    left join tier_daily
        on visible_requests.account_id = tier_daily.account_id
        and visible_requests.requested_on = tier_daily.date_day
    inner join tier_rules_daily
        on coalesce(tier_daily.tier, 'none') = tier_rules_daily.tier
        and visible_requests.requested_on = tier_rules_daily.date_day
),

queued as (
    select
        *,
        coalesce(sum(creatives_requested) over (
            partition by account_id, request_week
            order by requested_at, request_id
            rows between unbounded preceding and 1 preceding
        ), 0) as creatives_requested_earlier_in_week
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
        requested_at
    from queued
)

select * from final
