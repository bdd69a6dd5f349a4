{#-
    The checks of loaded ad_spend rows that depend on other sources (an account that exists, a
    usable FX rate on the spend day), and the unrounded USD amount: one definition for the base
    view that shows every row and for int_account_spend_daily, which checks only the rows of
    the account-days it recomputes. `rows` is a relation or CTE of base_ads_manager__ad_spend_loaded.
-#}
{% macro check_ad_spend_rows(rows) -%}
    {#- USD is 1.0 and needs no rate, on any day. -#}
    {%- set usd_per_unit = "case when " ~ rows ~ ".currency = 'USD' then 1.0 else fx_rates_daily.usd_per_unit end" -%}
    select
        {{ rows }}.account_id,
        {{ rows }}.spend_date,
        {{ rows }}.campaign_id,
        {{ rows }}.campaign_type,
        {{ rows }}.creative_id,
        {{ rows }}.is_tiktok_one_creative,
        {{ rows }}.spend,
        {{ rows }}.currency,
        {{ rows }}.reported_at,
        {{ usd_per_unit }} as usd_per_unit,
        -- Unrounded USD, exact for USD rows; only what a mart shows is rounded to cents.
        try_cast({{ rows }}.spend * {{ usd_per_unit }} as decimal(18, 6)) as spend_usd,
        case
            when {{ rows }}.row_quarantine_reason is not null then {{ rows }}.row_quarantine_reason
            when accounts.account_id is null then 'unknown_account'
            when {{ usd_per_unit }} is null then 'no_fx_rate'
            when try_cast({{ rows }}.spend * {{ usd_per_unit }} as decimal(18, 6)) is null
                then 'value_out_of_range'
        end as quarantine_reason,
        {{ rows }}.source_file,
        {{ rows }}.file_row_number,
        {{ rows }}.loaded_at,
    from {{ rows }}
    left join {{ ref('stg_ads_manager__accounts') }} as accounts
        on {{ rows }}.account_id = accounts.account_id
    left join {{ ref('stg_reference__fx_rates_daily') }} as fx_rates_daily
        on {{ rows }}.currency = fx_rates_daily.currency
        and {{ rows }}.spend_date = fx_rates_daily.rate_day
{%- endmacro %}
