{#-
    Creator Next eligibility per creator and stat day up to the as-of date; no birth dates.
-#}

with

eligibility_checked as (
    select * from {{ ref('int_creator_eligibility_checked') }}
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
