{#-
    One row per (account_id, spend_date, campaign_id, creative_id): the reporting system
    restates rows, and the latest report wins (macros/latest_report.sql). Restatement is
    decided among usable rows only: a quarantined correction does not erase the last good one.
    A view: the warehouse sums it per account-day in int_account_spend_daily over the days a
    build recomputes (a filter on spend_date reaches the landing files).
-#}
{{ config(meta={'recomputed_by_day': 'spend_date'}) }}

with

usable as (
    select * from {{ ref('base_ads_manager__ad_spend') }}
    where quarantine_reason is null
),

latest_report as (
    {{ latest_report(
        'usable',
        ['account_id', 'spend_date', 'campaign_id', 'creative_id'],
        ['reported_at desc', 'source_file desc', 'file_row_number desc'],
        ['account_id', 'spend_date', 'campaign_id', 'creative_id', 'campaign_type', 'currency',
         'spend', 'usd_per_unit', 'spend_usd', 'is_tiktok_one_creative', 'reported_at'],
        'spend_date'
    ) }}
)

select * from latest_report
