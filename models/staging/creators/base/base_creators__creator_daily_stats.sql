with

source as (
    select * from {{ landing_rows('creators', 'creator_daily_stats') }}
),

creators as (
    select * from {{ ref('stg_creators__creators') }}
),

typed as (
    select
        cast(creator_id as string) as creator_id,
        cast(stat_date as date) as stat_date,
        {{ checked_cast('follower_count', 'integer') }} as follower_count,
        {{ checked_cast('video_views', 'integer') }} as video_views,
        {{ checked_cast('posts', 'integer') }} as posts,
        cast(in_good_standing as boolean) as in_good_standing,
        {{ out_of_range_columns({'follower_count': 'integer', 'video_views': 'integer', 'posts': 'integer'}) }} as out_of_range_columns,
        filename as source_file,
        file_row_number
    from source
),

row_checked as (
    select
        typed.*,
        case
            when {{ any_null(['typed.creator_id', 'stat_date']) }} then 'null_key'
            when out_of_range_columns != '' then 'value_out_of_range'
            when follower_count < 0 or video_views < 0 or posts < 0 then 'negative_count'
            when creators.creator_id is null then 'unknown_creator'
        end as row_quarantine_reason
    from typed
    left join creators
        on typed.creator_id = creators.creator_id
),

checked as (
    select
        *,
        {{ quarantine_reason(
            'row_quarantine_reason',
            ['creator_id', 'stat_date'],
            ['follower_count', 'video_views', 'posts', 'in_good_standing']
        ) }} as quarantine_reason
    from row_checked
)

select * from checked
