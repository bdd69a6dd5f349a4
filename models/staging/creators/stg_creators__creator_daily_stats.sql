with

base as (
    select * from {{ ref('base_creators__creator_daily_stats') }}
),

final as (
    select
        creator_id,
        stat_date,
        follower_count,
        video_views,
        posts,
        in_good_standing
    from base
    where quarantine_reason is null
)

select * from final
