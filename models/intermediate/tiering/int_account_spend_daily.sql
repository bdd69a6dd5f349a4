{#-
    Spend per account and day in USD (docs/rules.md section 2), from the staged spend rows (the
    latest report of each key, quarantined rows left out): on TikTok One creatives, on any
    creative, and on the campaign types eligible for the spend-match offer. Every day with a
    staged row, not cut at the as-of date (downstream models filter). The staged spend is
    stored by the same day window, so a run reads the window's days of it only.

    Incremental by day: a run recomputes the days of the window (recompute_window.sql).
-#}
-- depends_on: {{ ref('int_as_of_date') }}
{{ day_window_config() }}

with

ad_spend as (
    select * from {{ ref('stg_ads_manager__ad_spend') }}
    {% if is_incremental() %}
    where spend_date >= {{ recompute_from() }}
    {% endif %}
),

eligible_campaign_types as (
    select * from {{ ref('spend_match_eligible_campaign_types') }}
),

final as (
    select
        ad_spend.account_id,
        ad_spend.spend_date as date_day,
        coalesce(sum(ad_spend.spend_usd) filter (where ad_spend.is_tiktok_one_creative), 0)
            as spend_usd,
        sum(ad_spend.spend_usd) as any_spend_usd,
        coalesce(sum(ad_spend.spend_usd) filter (
            where eligible_campaign_types.campaign_type is not null
        ), 0) as eligible_campaign_spend_usd,
        count(*) as staged_rows
    from ad_spend
    left join eligible_campaign_types
        on ad_spend.campaign_type = eligible_campaign_types.campaign_type
    group by ad_spend.account_id, ad_spend.spend_date
)

select * from final
