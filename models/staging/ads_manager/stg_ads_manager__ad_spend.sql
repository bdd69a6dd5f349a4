{#-
    One row per (account_id, spend_date, campaign_id, creative_id): the reporting system
    restates rows, and the latest report wins (macros/latest_report.sql). Restatement is
    decided among usable rows only: a quarantined correction does not erase the last good one.

    Stored by day (recompute_window.sql): every report of a key has the key's spend_date, so a
    run decides the latest report of the window's days from the landing rows of those days
    alone (the filter sits under the rule, where it reaches the files' row groups), and the
    models, data tests and checks that read the staged rows read a table, not the rule again.
-#}
-- depends_on: {{ ref('int_as_of_date') }}
{{ day_window_config('spend_date') }}

with

usable as (
    select * from {{ ref('base_ads_manager__ad_spend') }}
    where quarantine_reason is null
    {% if is_incremental() %}
        and spend_date >= {{ recompute_from() }}
    {% endif %}
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
