{#-
    Creator Next eligibility per creator and stat day up to the as-of date; no birth dates.

    Incremental by day: a stat day's eligibility reads only that day's row of
    int_creator_stats_rolled_30d (and the creator), so a run recomputes the days of the
    window (recompute_window.sql).
-#}
-- depends_on: {{ ref('int_as_of_date') }}
{{ day_window_config() }}

with

eligibility_checked as (
    select * from {{ ref('int_creator_eligibility_checked') }}
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    {% endif %}
),

final as (
    select
        creator_id,
        date_day,
        country_code,
        account_type,
        failed_rules,
        age_years,
        follower_count,
        min_followers,
        views_30d,
        posts_30d,
        stat_days_30d,
        is_eligible,
        passes_age,
        passes_region,
        passes_account_type,
        passes_followers,
        passes_views,
        passes_posts,
        passes_standing,
        in_good_standing,
        region_available_from
    from eligibility_checked
)

select * from final
