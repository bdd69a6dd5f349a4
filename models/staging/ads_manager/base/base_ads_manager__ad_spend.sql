{#-
    Every raw ad_spend row with the first check it fails in quarantine_reason (null: usable)
    and its unrounded USD amount. A view over the loaded rows: the checks against accounts and
    FX rates are made when read, so a late account or rate counts at once.
-#}

with

ad_spend_loaded as (
    select * from {{ ref('base_ads_manager__ad_spend_loaded') }}
),

checked as (
    {{ check_ad_spend_rows('ad_spend_loaded') }}
)

select * from checked
