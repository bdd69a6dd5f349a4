{#-
    Incremental models remember the inputs they were last built from, so that a run can tell
    which of them changed since (a late FX rate, an account that appeared) and recompute only
    what depends on the change. Each input is a query; after a successful build a post-hook
    saves its result beside the model as `<model>__applied_<input>` (same transaction as the
    build). When a saved copy is missing, the model treats every input as changed.
-#}

{% macro applied_input(name, model_name=none) -%}
    {%- set model_name = model_name or this.identifier -%}
    {{ return(adapter.get_relation(database=this.database, schema='intermediate', identifier=model_name ~ '__applied_' ~ name)) }}
{%- endmacro %}


{% macro save_applied_inputs(inputs) -%}
    {%- for name, query in inputs.items() %}
    create or replace table intermediate.{{ this.identifier }}__applied_{{ name }} as {{ query }};
    {%- endfor %}
{%- endmacro %}


{#- Rows in one query and not the other, either way: what changed between two versions. -#}
{% macro changed_rows(current_query, applied_relation) -%}
    (({{ current_query }}) except ({{ 'select * from ' ~ applied_relation }}))
    union
    (({{ 'select * from ' ~ applied_relation }}) except ({{ current_query }}))
{%- endmacro %}


{#- The inputs int_account_spend_daily recomputes from when they change. -#}
{% macro account_spend_daily_inputs() -%}
    {{ return({
        'accounts': 'select account_id from ' ~ ref('stg_ads_manager__accounts'),
        'fx_rates': 'select currency, rate_day, usd_per_unit from ' ~ ref('stg_reference__fx_rates_daily'),
        'campaign_types': 'select campaign_type from ' ~ ref('spend_match_eligible_campaign_types'),
        'loads': 'select max(loaded_at) as loaded_through from ' ~ ref('base_ads_manager__ad_spend_loaded'),
    }) }}
{%- endmacro %}


{#-
    The inputs of fct_account_tier_daily, saved after each build so that
    int_account_tier_days_planned can tell what to recompute: which accounts were members
    (and since when), the as-of date, how far int_account_spend_daily had been read, and the
    tier thresholds.
-#}
{% macro account_tier_daily_inputs() -%}
    {{ return({
        'members': 'select account_id, tiktok_one_joined_on as joined_on from ' ~ ref('stg_ads_manager__accounts')
            ~ ' where tiktok_one_joined_on <= ' ~ as_of_date(),
        'build': 'select ' ~ as_of_date() ~ ' as as_of_date, (select max(refreshed_at) from '
            ~ ref('int_account_spend_daily') ~ ') as spend_refreshed_through',
        'thresholds': 'select tier_rank, min_rolling_30d_spend_usd from ' ~ ref('tier_thresholds'),
    }) }}
{%- endmacro %}


{#-
    Before fct_account_tier_daily replaces its planned days: drop the rows after the
    as-of date and every row of an account that is replanned whole. Nothing to do on a first
    or full build.
-#}
{% macro delete_unplanned_tier_days() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where date_day > {{ as_of_date() }}
        or account_id in (
            select account_id from {{ ref('int_account_tier_days_planned') }}
            where replaces_all_days
        )
    {%- endif -%}
{%- endmacro %}
