with

base as (
    select * from {{ ref('base_tiktok_one__creative_requests') }}
),

final as (
    select
        request_id,
        account_id,
        project_id,
        creatives_requested,
        requested_at,
        cast(requested_at as date) as requested_on
    from base
    where quarantine_reason is null
)

select * from final
