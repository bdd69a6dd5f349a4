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
{%- if not recompute_all -%}
    {#- Constants for the scans below, so that DuckDB skips the row groups outside them. -#}
    {%- set loaded_through = run_query('select cast(loaded_through as varchar) from ' ~ applied['loads']).columns[0].values()[0] -%}
    {%- set change_bounds_query -%}
        select
            cast(min(changed_on) as varchar),
            cast(max(changed_on) as varchar),
            (select count(*) from ({{ changed_rows(inputs['accounts'], applied['accounts']) }})),
        from (
            select spend_date as changed_on from {{ ref('base_ads_manager__ad_spend_loaded') }}
            where loaded_at > cast('{{ loaded_through }}' as timestamp)
            union all
            select rate_day from ({{ changed_rows(inputs['fx_rates'], applied['fx_rates']) }})
        )
    {%- endset -%}
    {%- set change_bounds = run_query(change_bounds_query).rows[0] -%}
{%- endif %}

with

-- Read more than once: kept inline, as materialising millions of rows costs more than a rescan.
ad_spend_loaded as not materialized (
    select * from {{ ref('base_ads_manager__ad_spend_loaded') }}
    where account_id is not null
        and spend_date is not null
        {% if not recompute_all and change_bounds[2] == 0 %}
        -- Nothing outside the changed days can change (no account appeared or went).
        {% if change_bounds[0] is none %}
        and false
        {% else %}
        and spend_date between cast('{{ change_bounds[0] }}' as date) and cast('{{ change_bounds[1] }}' as date)
        {% endif %}
        {% endif %}
),

eligible_campaign_types as (
    select * from {{ ref('spend_match_eligible_campaign_types') }}
),

{% if recompute_all %}
account_day_rows as not materialized (
    select * from ad_spend_loaded
),
{% else %}
loaded_since_last_run as (
    select distinct
        account_id,
        spend_date,
    from ad_spend_loaded
    where loaded_at > cast('{{ loaded_through }}' as timestamp)
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

account_day_rows as not materialized (
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

-- Keys reported more than once. Sorting a 64-bit hash of the key and comparing neighbours is
-- much cheaper than grouping the full key; a hash collision only adds a candidate, which the
-- exact comparison below then keeps.
key_hashes as (
    select hash(account_id, spend_date, campaign_id, creative_id) as key_hash
    from account_day_rows
),

repeated_key_hashes as (
    select distinct key_hash
    from (
        select
            key_hash,
            lag(key_hash) over (order by key_hash) as previous_key_hash,
        from key_hashes
    )
    where key_hash = previous_key_hash
),

candidate_rows as (
    select account_day_rows.*
    from account_day_rows
    semi join repeated_key_hashes
        on hash(account_day_rows.account_id, account_day_rows.spend_date,
            account_day_rows.campaign_id, account_day_rows.creative_id)
            = repeated_key_hashes.key_hash
),

candidates_checked as (
    {{ check_ad_spend_rows('candidate_rows') }}
),

-- The usable rows a later report of the same key replaced.
superseded as (
    select *
    from candidates_checked
    where quarantine_reason is null
    qualify row_number() over (
        partition by account_id, spend_date, campaign_id, creative_id
        order by reported_at desc, source_file desc, file_row_number desc
    ) > 1
),

-- One pass over the rows: sums over every usable row, then less the superseded ones.
{% for part in ['checked', 'superseded'] %}
{{ part }}_daily as (
    select
        account_id,
        spend_date,
        count(*) filter (where quarantine_reason is null) as usable_rows,
        count(*) filter (where quarantine_reason is not null) as quarantined_rows,
        coalesce(sum(spend_usd) filter (where quarantine_reason is null and is_tiktok_one_creative), 0)
            as spend_usd,
        coalesce(sum(spend_usd) filter (where quarantine_reason is null), 0) as any_spend_usd,
        coalesce(sum(spend_usd) filter (
            where quarantine_reason is null
                and campaign_type in (select campaign_type from eligible_campaign_types)
        ), 0) as eligible_campaign_spend_usd,
    from {{ part }}
    group by account_id, spend_date
),
{% endfor %}

final as (
    select
        checked_daily.account_id,
        checked_daily.spend_date as date_day,
        checked_daily.spend_usd - coalesce(superseded_daily.spend_usd, 0) as spend_usd,
        checked_daily.any_spend_usd - coalesce(superseded_daily.any_spend_usd, 0) as any_spend_usd,
        checked_daily.eligible_campaign_spend_usd
            - coalesce(superseded_daily.eligible_campaign_spend_usd, 0) as eligible_campaign_spend_usd,
        checked_daily.usable_rows - coalesce(superseded_daily.usable_rows, 0) as staged_rows,
        coalesce(superseded_daily.usable_rows, 0) as superseded_rows,
        checked_daily.quarantined_rows,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as refreshed_at,
    from checked_daily
    left join superseded_daily
        on checked_daily.account_id = superseded_daily.account_id
        and checked_daily.spend_date = superseded_daily.spend_date
)

select * from final
