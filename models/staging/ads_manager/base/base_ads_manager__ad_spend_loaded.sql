{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

{#-
    Every raw ad_spend row, typed, loaded once per landing file: landing files are immutable
    (a restatement arrives as a new file), so a run reads only the files this table has not
    seen. `row_quarantine_reason` holds the checks that need nothing but the row itself; the
    checks against accounts and FX rates, which can change after a row lands, are made in
    base_ads_manager__ad_spend. `loaded_at` says which run loaded the row.
-#}

{#- Files are told apart by name, so that a landing zone reached by another path (a moved
    directory, a symlink) is not loaded twice. -#}
{%- set new_files = none -%}
{%- if is_incremental() and execute -%}
    {%- set loaded_names = run_query('select distinct parse_filename(source_file) from ' ~ this).columns[0].values() -%}
    {%- set landed_files = run_query("select file from glob('" ~ landing_dir() ~ "/ad_spend/*.parquet')").columns[0].values() -%}
    {%- set new_files = [] -%}
    {%- for file in landed_files if file.split('/')[-1] not in loaded_names -%}
        {%- do new_files.append(file) -%}
    {%- endfor -%}
{%- endif %}

with

source as (
    select * from {{ source('ads_manager', 'ad_spend') }}
    {% if new_files is not none %}
    -- A constant list, so DuckDB opens only these files.
    where filename in ({% for file in new_files %}'{{ file }}'{% if not loop.last %}, {% endif %}{% else %}null{% endfor %})
    {% endif %}
),

typed as (
    select
        cast(account_id as varchar) as account_id,
        cast(spend_date as date) as spend_date,
        cast(campaign_id as varchar) as campaign_id,
        lower(trim(cast(campaign_type as varchar))) as campaign_type,
        cast(creative_id as varchar) as creative_id,
        cast(is_tiktok_one_creative as boolean) as is_tiktok_one_creative,
        {{ checked_cast('spend', 'decimal(18, 2)') }} as spend,
        upper(trim(cast(currency as varchar))) as currency,
        cast(reported_at as timestamp) as reported_at,
        {{ out_of_range_columns({'spend': 'decimal(18, 2)'}) }} as out_of_range_columns,
        filename as source_file,
        file_row_number,
    from source
),

checked as (
    select
        account_id,
        spend_date,
        campaign_id,
        campaign_type,
        creative_id,
        is_tiktok_one_creative,
        spend,
        currency,
        reported_at,
        case
            when {{ any_null(['account_id', 'spend_date', 'campaign_id', 'creative_id']) }}
                then 'null_key'
            when out_of_range_columns != '' then 'value_out_of_range'
            when spend is null then 'null_spend'
            when spend < 0 then 'negative_spend'
            when currency is null then 'null_currency'
            when is_tiktok_one_creative is null then 'null_is_tiktok_one_creative'
            when reported_at is null then 'null_reported_at'
            -- A report cannot cover a day after the one it arrived on (a day's grace for
            -- account-local days ahead of UTC).
            when spend_date > {{ add_days('cast(reported_at as date)', 1) }} then 'spend_date_in_future'
        end as row_quarantine_reason,
        source_file,
        file_row_number,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as loaded_at,
    from typed
)

select * from checked
