{#-
    One row per (account_id, spend_date, campaign_id, creative_id): the reporting system
    restates rows, and the latest reported_at replaces the earlier ones. Restatement is
    decided among usable rows only: a quarantined correction does not erase the last good one.
    A view for analysts who need the rows; the warehouse sums them per account-day in
    int_account_spend_daily with the same rule, recomputing only the days that change.
-#}

with

base as (
    select * from {{ ref('base_ads_manager__ad_spend') }}
    where quarantine_reason is null
),

latest_report as (
    select *
    from base
    qualify row_number() over (
        partition by account_id, spend_date, campaign_id, creative_id
        order by reported_at desc, source_file desc, file_row_number desc
    ) = 1
),

final as (
    select
        account_id,
        spend_date,
        campaign_id,
        creative_id,
        campaign_type,
        currency,
        spend,
        usd_per_unit,
        spend_usd,
        is_tiktok_one_creative,
        reported_at
    from latest_report
)

select * from final
