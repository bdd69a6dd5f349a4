{#-
    One row per creator and stat day up to the as-of date, with the views and posts over the
    30 calendar days [D-29, D] (RULES.md section 11; the 30 is window_days of the seed
    creator_next_requirements). Stat days can be missing: a missing day
    counts as zero, so the window is a RANGE over day numbers, never a count of rows. A null
    video_views or posts counts as zero too, like a day that did not arrive.

    Incremental by day: a run recomputes the stat days of the window (recompute_window.sql),
    reading the stats of the window_days - 1 days before it.
-#}
-- depends_on: {{ ref('creator_next_requirements') }}
{{ day_window_config() }}
{%- set window_days = rule_number('creator_next_requirements', 'window_days') %}

with

creator_daily_stats as (
    select * from {{ ref('stg_creators__creator_daily_stats') }}
),

visible as (
    select
        *,
        {{ days_between("cast('1970-01-01' as date)", 'stat_date') }} as day_number
    from creator_daily_stats
    where stat_date <= {{ as_of_date() }}
        {% if is_incremental() %}
        and stat_date >= {{ add_days(recompute_from(), 1 - window_days) }}
        {% endif %}
),

rolled as (
    select
        creator_id,
        stat_date as date_day,
        follower_count,
        video_views,
        posts,
        in_good_standing,
        cast(coalesce(sum(video_views) over trailing_30_days, 0) as bigint) as views_30d,
        cast(coalesce(sum(posts) over trailing_30_days, 0) as bigint) as posts_30d,
        cast(count(*) over trailing_30_days as integer) as stat_days_30d
    from visible
    window trailing_30_days as (
        partition by creator_id
        order by day_number
        range between {{ window_days - 1 }} preceding and current row
    )
),

final as (
    select *
    from rolled
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    {% endif %}
)

select * from final
