{#-
    Spend per account and day in USD (RULES.md section 2), from every loaded ad_spend row of
    that account-day: quarantined rows take no part, and of the rows reported for the same
    (account, day, campaign, creative) the latest reported_at counts (ties: the later file,
    then the later row). Not limited to the as-of date: downstream models filter.

    Incremental: a run recomputes only the account-days that something changed, namely rows
    loaded since the last run (new files, restatements included), days whose FX rate
    changed, and accounts that appeared or disappeared. When the eligible campaign types
    change, or on --full-refresh, every account-day is recomputed; both paths run the same SQL.
-#}

{%- set inputs = account_spend_daily_inputs() -%}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['account_id', 'date_day'],
    post_hook="{{ save_applied_inputs(account_spend_daily_inputs()) }}",
) }}

{%- set recompute_all = true -%}
{%- if is_incremental() and execute -%}
    {%- set applied = {} -%}
    {%- for name in inputs -%}{%- do applied.update({name: applied_input(name)}) -%}{%- endfor -%}
    {%- if applied.values() | select('none') | list | length == 0 -%}
        {%- set changed_types = run_query('select count(*) from (' ~ changed_rows(inputs['campaign_types'], applied['campaign_types']) ~ ')').columns[0].values()[0] -%}
        {%- set recompute_all = changed_types > 0 -%}
    {%- endif -%}
{%- endif %}

with

ad_spend_loaded as (
    select * from {{ ref('base_ads_manager__ad_spend_loaded') }}
    where account_id is not null
        and spend_date is not null
),

eligible_campaign_types as (
    select * from {{ ref('spend_match_eligible_campaign_types') }}
),

{% if recompute_all %}
account_day_rows as (
    select * from ad_spend_loaded
),
{% else %}
loaded_since_last_run as (
    select distinct
        account_id,
        spend_date,
    from ad_spend_loaded
    where loaded_at > (select loaded_through from {{ applied['loads'] }})
),

fx_rate_days_changed as (
    select distinct
        currency,
        rate_day,
    from ({{ changed_rows(inputs['fx_rates'], applied['fx_rates']) }})
),

accounts_changed as (
    select distinct account_id from ({{ changed_rows(inputs['accounts'], applied['accounts']) }})
),

account_days_changed as (
    select * from loaded_since_last_run
    union
    select
        ad_spend_loaded.account_id,
        ad_spend_loaded.spend_date,
    from ad_spend_loaded
    inner join fx_rate_days_changed
        on ad_spend_loaded.currency = fx_rate_days_changed.currency
        and ad_spend_loaded.spend_date = fx_rate_days_changed.rate_day
    union
    select
        ad_spend_loaded.account_id,
        ad_spend_loaded.spend_date,
    from ad_spend_loaded
    inner join accounts_changed
        on ad_spend_loaded.account_id = accounts_changed.account_id
),

account_day_rows as (
    select ad_spend_loaded.*
    from ad_spend_loaded
    inner join account_days_changed
        on ad_spend_loaded.account_id = account_days_changed.account_id
        and ad_spend_loaded.spend_date = account_days_changed.spend_date
),
{% endif %}

checked as (
    {{ check_ad_spend_rows('account_day_rows') }}
),

usable as (
    select
        *,
        hash(account_id, spend_date, campaign_id, creative_id) as key_hash,
    from checked
    where quarantine_reason is null
),

-- Keys reported more than once. Sorting a 64-bit hash of the key and comparing neighbours is
-- much cheaper than grouping the full key; a hash collision only adds a candidate, which the
-- exact comparison below then keeps.
repeated_key_hashes as (
    select distinct key_hash
    from (
        select
            key_hash,
            lag(key_hash) over (order by key_hash) as previous_key_hash,
        from usable
    )
    where key_hash = previous_key_hash
),

superseded as (
    select usable.*
    from usable
    semi join repeated_key_hashes
        on usable.key_hash = repeated_key_hashes.key_hash
    qualify row_number() over (
        partition by account_id, spend_date, campaign_id, creative_id
        order by reported_at desc, source_file desc, file_row_number desc
    ) > 1
),

-- Sums over every usable row, less the rows a later report replaced.
{% for part in ['usable', 'superseded'] %}
{{ part }}_daily as (
    select
        account_id,
        spend_date,
        count(*) as row_count,
        sum(case when is_tiktok_one_creative then spend_usd else 0 end) as spend_usd,
        sum(spend_usd) as any_spend_usd,
        sum(case when campaign_type in (select campaign_type from eligible_campaign_types) then spend_usd else 0 end)
            as eligible_campaign_spend_usd,
    from {{ part }}
    group by account_id, spend_date
),
{% endfor %}

quarantined_daily as (
    select
        account_id,
        spend_date,
        count(*) as row_count,
    from checked
    where quarantine_reason is not null
    group by account_id, spend_date
),

account_days as (
    select distinct
        account_id,
        spend_date,
    from account_day_rows
),

final as (
    select
        account_days.account_id,
        account_days.spend_date as date_day,
        coalesce(usable_daily.spend_usd, 0) - coalesce(superseded_daily.spend_usd, 0) as spend_usd,
        coalesce(usable_daily.any_spend_usd, 0) - coalesce(superseded_daily.any_spend_usd, 0)
            as any_spend_usd,
        coalesce(usable_daily.eligible_campaign_spend_usd, 0)
            - coalesce(superseded_daily.eligible_campaign_spend_usd, 0) as eligible_campaign_spend_usd,
        coalesce(usable_daily.row_count, 0) - coalesce(superseded_daily.row_count, 0) as staged_rows,
        coalesce(superseded_daily.row_count, 0) as superseded_rows,
        coalesce(quarantined_daily.row_count, 0) as quarantined_rows,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as refreshed_at,
    from account_days
    left join usable_daily
        on account_days.account_id = usable_daily.account_id
        and account_days.spend_date = usable_daily.spend_date
    left join superseded_daily
        on account_days.account_id = superseded_daily.account_id
        and account_days.spend_date = superseded_daily.spend_date
    left join quarantined_daily
        on account_days.account_id = quarantined_daily.account_id
        and account_days.spend_date = quarantined_daily.spend_date
)

select * from final
