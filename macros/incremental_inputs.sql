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


{#-
    A temporary table that a model's pre-hook makes for the model's own later statements in
    the same run (its query, its post-hook): made once, read several times. Temporary tables
    live on the model's connection and go with it.
-#}
{% macro run_table(name) -%}
    temp.main.{{ this.identifier }}__{{ name }}
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
    How far int_account_spend_daily had been read when a model was built (every run stamps
    the account-days it recomputes with `refreshed_at`), saved in the model's `build` input.
-#}
{% macro spend_read_through() -%}
    (select max(refreshed_at) from {{ ref('int_account_spend_daily') }}) as spend_refreshed_through
{%- endmacro %}


{#-
    The spend days int_account_spend_daily recomputed since the model running this was last
    built (its saved `build` input holds spend_refreshed_through). The bound is a scalar
    subquery DuckDB applies to the scan, so only the newest row groups are read.
-#}
{% macro spend_days_recomputed() -%}
    select account_id, date_day
    from {{ ref('int_account_spend_daily') }}
    where refreshed_at > (select spend_refreshed_through from {{ applied_input('build') }})
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
        'build': 'select ' ~ as_of_date() ~ ' as as_of_date, ' ~ spend_read_through(),
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


{#-
    True when every input equals what this model was last built from, so the model can keep
    its rows: never on a first or full build, nor when a saved copy is missing.
-#}
{% macro inputs_unchanged(inputs) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for name, query in inputs.items() -%}
        {%- set applied = applied_input(name) -%}
        {%- if applied is none -%}
            {{ return(false) }}
        {%- endif -%}
        {%- set differing = run_query('select count(*) from (' ~ changed_rows(query, applied) ~ ')').columns[0].values()[0] -%}
        {%- if differing > 0 -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}


{#-
    The landing files of some sources, by source, name, size and modification time: a file
    added, replaced or removed changes the result. Only file metadata is read.
-#}
{% macro landing_files(source_names) -%}
    select
        parse_filename(parse_dirpath(filename)) as source_name,
        parse_filename(filename) as file_name,
        size,
        last_modified,
    from read_blob('{{ landing_dir() }}/*/*.parquet')
    where parse_filename(parse_dirpath(filename)) in ({% for name in source_names %}'{{ name }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}


{#-
    What the audit models read besides ad_spend: every other landing source (their checks
    read accounts, FX rates and creators, all landing sources too), and the SQL that checks
    them. When none of these changed, the audit keeps its rows for those sources and
    recomputes only ad_spend's.
-#}
{% macro audited_landing_inputs() -%}
    {%- set names = [] -%}
    {%- set code_models = ['audit_landing_row_counts', 'quarantined_landing_rows'] -%}
    {%- for landing_source in landing_sources() if landing_source.name != 'ad_spend' -%}
        {%- do names.append(landing_source.name) -%}
        {%- do code_models.extend([landing_source.base, landing_source.staged]) -%}
    {%- endfor -%}
    {{ return({'landing_files': landing_files(names), 'code': code_input(code_models)}) }}
{%- endmacro %}


{#- Before an audit model inserts what it recomputed: drop the sources it recomputes. -#}
{% macro delete_recomputed_sources(other_sources_unchanged) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    {%- if other_sources_unchanged %} where source_name = 'ad_spend'{% endif %}
    {%- endif -%}
{%- endmacro %}


{#-
    The SQL of some models, hashed: a model kept because its inputs did not change must still
    be rebuilt when its own code, or the code of a view it reads, changed.
-#}
{% macro code_input(model_names) -%}
    {%- set hashes = [] -%}
    {%- if not execute -%}
        {{ return("select '' as code_hashes") }}
    {%- endif -%}
    {%- for model_name in model_names -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == model_name -%}
            {%- do hashes.append(model_name ~ ':' ~ local_md5(node.raw_code)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return("select '" ~ (hashes | join(',')) ~ "' as code_hashes") }}
{%- endmacro %}


{#-
    What the Creator Next models are computed from: the creator landing files, the two
    Creator Next seeds, and the as-of date as far as it hides stat days (a later as-of date
    changes nothing once it is past the last stat day).
-#}
{% macro creator_next_inputs() -%}
    {{ return({
        'landing_files': landing_files(['creators', 'creator_daily_stats']),
        'regions': 'select * from ' ~ ref('creator_next_regions'),
        'requirements': 'select * from ' ~ ref('creator_next_requirements'),
        'stats_visible': 'select least(' ~ as_of_date() ~ ', (select max(cast(stat_date as date)) from '
            ~ source('creators', 'creator_daily_stats') ~ ')) as stats_visible_through',
        'code': code_input([
            'base_creators__creators', 'stg_creators__creators',
            'base_creators__creator_daily_stats', 'stg_creators__creator_daily_stats',
            'int_creator_stats_rolled_30d', 'int_creator_eligibility_checked',
            'fct_creator_next_eligibility_daily', 'fct_creator_next_eligibility_changes',
        ]),
    }) }}
{%- endmacro %}


{#-
    Whether a model kept whole or rebuilt whole keeps its rows this run. `inputs` is the
    macro that lists them (passed uncalled): they are only looked at in an incremental run,
    and never in a unit test, which compiles the model without them.
-#}
{% macro inputs_kept(inputs) -%}
    {{ return(model.resource_type != 'unit_test' and is_incremental() and inputs_unchanged(inputs())) }}
{%- endmacro %}


{#- After the build: save the inputs the macro `inputs` lists (not in a unit test). -#}
{% macro save_inputs(inputs) -%}
    {%- if model.resource_type != 'unit_test' -%}
    {{ save_applied_inputs(inputs()) }}
    {%- endif -%}
{%- endmacro %}


{#-
    Whether an incremental model recomputes everything this run rather than what changed: on
    a first or full build (and in a unit test), when one of its saved inputs is missing, when
    one of the inputs named in `whole_on` changed, or when the as-of date went back
    (`as_of_column` of the saved `build` input, compared with `as_of`; none for a model that
    does not care). `inputs` is the macro that lists the inputs, passed uncalled: a unit test
    compiles the model without them.
-#}
{% macro recomputes_everything(inputs, whole_on=['code'], as_of_column='as_of_date', as_of=none) -%}
    {%- if not execute or model.resource_type == 'unit_test' or not is_incremental() -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set inputs = inputs() -%}
    {%- for name in inputs if applied_input(name) is none -%}
        {{ return(true) }}
    {%- endfor -%}
    {%- set checked = {} -%}
    {%- for name in whole_on -%}{%- do checked.update({name: inputs[name]}) -%}{%- endfor -%}
    {%- if not inputs_unchanged(checked) -%}
        {{ return(true) }}
    {%- endif -%}
    {%- if as_of_column is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set went_back = run_query(
        'select count(*) from ' ~ applied_input('build') ~ ' where ' ~ as_of_column ~ ' > ' ~ (as_of or as_of_date())
    ).columns[0].values()[0] -%}
    {{ return(went_back > 0) }}
{%- endmacro %}


{#-
    For a model that carries its rows forward from its last build: none when it recomputes
    everything this run (recomputes_everything with the same arguments), otherwise the last
    build's as-of date as an SQL literal, which a scan of the new days can skip row groups by.
-#}
{% macro continued_from(inputs, whole_on=['code']) -%}
    {%- if recomputes_everything(inputs, whole_on=whole_on) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set last_as_of = run_query(
        'select cast(as_of_date as varchar) from ' ~ applied_input('build')
    ).columns[0].values()[0] -%}
    {%- if last_as_of is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return({'as_of_date': "date '" ~ last_as_of ~ "'"}) }}
{%- endmacro %}


{#- Before a model that is rebuilt whole or kept whole inserts: drop its rows if rebuilt. -#}
{% macro delete_all_unless_kept(kept) -%}
    {%- if is_incremental() and not kept -%}
    delete from {{ this }}
    {%- endif -%}
{%- endmacro %}


{#-
    What fct_credit_line_eligibility is computed from. A day's rules read the months with
    spend before it, the first spend day and the invoices known by that day, so a later
    as-of date adds days without changing the earlier ones. Saved: each account's first spend
    day and, per month, how many of the 6 months before it had spend (compared up to the
    month of the last as-of date: spend in that month counts only for later days), the as-of
    date, the invoice and account landing files (the invoice checks read accounts), the SQL,
    and the staged invoices themselves (`staged_invoices`, saved on a rebuild only: while the
    files and the SQL are unchanged, they are what staging would give again).
-#}
{% macro credit_line_inputs() -%}
    {{ return({
        'months': 'select account_id, month_start_on, first_spend_on, months_with_spend_in_prior_6 from '
            ~ ref('int_account_months_spent'),
        'build': 'select ' ~ as_of_date() ~ ' as as_of_date',
        'invoices': landing_files(['invoices', 'accounts']),
        'code': code_input([
            'base_ads_manager__accounts', 'stg_ads_manager__accounts',
            'base_billing__invoices', 'stg_billing__invoices',
            'int_account_months_spent', 'fct_credit_line_eligibility',
        ]),
        'staged_invoices': 'select * from ' ~ ref('stg_billing__invoices'),
    }) }}
{%- endmacro %}


{#-
    How fct_credit_line_eligibility runs: none when it is rebuilt whole (a first or full
    build, the invoices, the accounts or the SQL changed, or the as-of date went back);
    otherwise the last build's as-of date as an SQL literal.
-#}
{% macro credit_line_last_build() -%}
    {{ return(continued_from(credit_line_inputs, whole_on=['invoices', 'code'])) }}
{%- endmacro %}


{#-
    The accounts whose days are all replaced: their months with spend or first spend day
    changed, or an invoice they were issued after L was paid late on or before L (a late
    payment counts from its payment day, so it reaches days already built; an invoice's
    other events all fall after its issue day).
-#}
{% macro credit_line_accounts_replaced(last_build) -%}
    {%- set months = credit_line_inputs().months
        ~ ' where month_start_on <= ' ~ month_start(last_build.as_of_date) -%}
    select account_id from ({{ changed_rows(months, applied_input('months')) }})
    union
    select account_id
    from {{ applied_input('staged_invoices') }}
    where issued_on > {{ last_build.as_of_date }}
        and issued_on <= {{ as_of_date() }}
        and paid_on > due_on
        and paid_on <= {{ last_build.as_of_date }}
{%- endmacro %}


{#-
    Before the insert: drop every row on a rebuild; otherwise the rows of the accounts whose
    days are all replaced, and any row after the last as-of date. Its run tables: the landing
    files it saw (`landing_files`, saved by the post-hook, so that a file landing during the
    run is still new to the next one) and, when the run continues from L, the accounts whose
    days are all replaced (`accounts_replaced`, read by the model; its presence tells the
    post-hook that the run continued, so the decision is not made again).
-#}
{% macro delete_replaced_credit_line_days() -%}
    {%- if is_incremental() -%}
    {%- set last_build = credit_line_last_build() %}
    create or replace temporary table {{ run_table('landing_files') }} as
        {{ credit_line_inputs().invoices }};
    drop table if exists {{ run_table('accounts_replaced') }};
    {%- if last_build is none %}
    delete from {{ this }}
    {%- else %}
    create temporary table {{ run_table('accounts_replaced') }} as
        {{ credit_line_accounts_replaced(last_build) }};
    delete from {{ this }}
    where date_day > {{ last_build.as_of_date }}
        or account_id in (select account_id from {{ run_table('accounts_replaced') }})
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#-
    After the build: save the inputs as the pre-hook saw them. The staged invoices are saved
    only after a rebuild (a continued run left them unchanged).
-#}
{% macro save_credit_line_inputs() -%}
    {%- if model.resource_type != 'unit_test' -%}
    {%- set inputs = credit_line_inputs() -%}
    {%- if is_incremental() -%}
        {%- do inputs.update({'invoices': 'select * from ' ~ run_table('landing_files')}) -%}
        {%- set continued = run_query(
            "select count(*) from duckdb_tables() where temporary and table_name = '"
            ~ this.identifier ~ "__accounts_replaced'"
        ).columns[0].values()[0] > 0 -%}
        {%- if continued -%}
            {%- do inputs.pop('staged_invoices') -%}
        {%- endif -%}
    {%- endif %}
    {{ save_applied_inputs(inputs) }}
    drop table if exists {{ run_table('landing_files') }};
    drop table if exists {{ run_table('accounts_replaced') }};
    {%- endif -%}
{%- endmacro %}


{#-
    The config of a model kept whole while its inputs are unchanged: `inputs` names the macro
    that lists them, `delete` the one that drops what is rebuilt before the insert.
-#}
{% macro kept_whole_config(inputs, delete='delete_all_unless_kept') -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook='{{ ' ~ delete ~ '(inputs_kept(' ~ inputs ~ ')) }}',
        post_hook='{{ save_inputs(' ~ inputs ~ ') }}',
    ) }}
{%- endmacro %}


{#-
    What int_spend_match_spend_to_date is computed from: each offered account's creation day
    and threshold (its terms), the as-of date with how far int_account_spend_daily had been
    read, and the SQL.
-#}
{% macro spend_match_spend_to_date_inputs() -%}
    {{ return({
        'terms': 'select account_id, ads_manager_created_on, spend_threshold_usd from '
            ~ ref('int_spend_match_accounts_offered'),
        'build': 'select ' ~ as_of_date() ~ ' as as_of_date, ' ~ spend_read_through(),
        'code': code_input(['int_spend_match_spend_to_date']),
    }) }}
{%- endmacro %}


{#-
    How int_spend_match_spend_to_date runs: none on a first or full build, when the SQL
    changed, or when the as-of date went back (every account is recomputed from its whole
    history); otherwise the last build's as-of date, as an SQL literal, so that the scan of
    the new days skips the row groups before it.
-#}
{% macro spend_match_last_build() -%}
    {{ return(continued_from(spend_match_spend_to_date_inputs)) }}
{%- endmacro %}


{#-
    The accounts int_spend_match_spend_to_date recomputes from their whole history: those
    whose terms changed (new, gone, another creation day or threshold) and those with spend
    days up to the last as-of date recomputed since (restatements, late rows, FX).
-#}
{% macro spend_match_accounts_recomputed(last_build) -%}
    select account_id from ({{ changed_rows(spend_match_spend_to_date_inputs().terms, applied_input('terms')) }})
    union
    select account_id from ({{ spend_days_recomputed() }})
    where date_day <= {{ last_build.as_of_date }}
{%- endmacro %}


{#- Before the insert: drop every row on a full recompute, else the recomputed accounts'. -#}
{% macro delete_recomputed_spend_match_accounts() -%}
    {%- if is_incremental() -%}
    {%- set last_build = spend_match_last_build() -%}
    delete from {{ this }}
    {%- if last_build is not none %}
    where account_id in ({{ spend_match_accounts_recomputed(last_build) }})
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- What int_account_spend_months is computed from: how far int_account_spend_daily had been read, and the SQL. -#}
{% macro account_spend_months_inputs() -%}
    {{ return({
        'build': 'select ' ~ spend_read_through(),
        'code': code_input(['int_account_spend_months']),
    }) }}
{%- endmacro %}


{#-
    The months int_account_spend_months recomputes: none on a first or full build or after a
    change to its SQL (every month is computed); otherwise the months holding a spend day
    int_account_spend_daily recomputed since the last build, with the first of them as a
    literal so that the scan skips the row groups before it.
-#}
{% macro account_spend_months_changed() -%}
    {%- if recomputes_everything(account_spend_months_inputs, as_of_column=none) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select distinct
            account_id,
            {{ month_start('date_day') }} as month_start_on,
        from ({{ spend_days_recomputed() }})
    {%- endset -%}
    {%- set first_month = run_query('select cast(min(month_start_on) as varchar) from (' ~ query ~ ')').columns[0].values()[0] -%}
    {{ return({'query': query, 'first_month': "date '" ~ (first_month or '9999-12-31') ~ "'"}) }}
{%- endmacro %}


{#- Before the insert: drop every row on a full recompute, else the recomputed months. -#}
{% macro delete_changed_spend_months() -%}
    {%- if is_incremental() -%}
    {%- set changed = account_spend_months_changed() -%}
    delete from {{ this }}
    {%- if changed is not none %}
    where (account_id, month_start_on) in ({{ changed.query }})
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#-
    What fct_account_credit_balance_daily is computed from: the ledger's sums per account and
    day, each account's range of days, how far int_account_spend_daily had been read, and
    the SQL. `daily_entries` and `account_ranges` are the model's own CTEs.
-#}
{% macro credit_balance_inputs() -%}
    {{ return({
        'entries': 'select * from (' ~ credit_balance_daily_entries() ~ ')',
        'ranges': 'select * from (' ~ credit_balance_account_ranges() ~ ')',
        'build': 'select ' ~ spend_read_through(),
        'code': code_input(['fct_account_credit_balance_daily']),
    }) }}
{%- endmacro %}


{#- The ledger summed per account and day: what each day adds to the balances. -#}
{% macro credit_balance_daily_entries() -%}
    select
        account_id,
        entry_date,
        sum(case when entry_type = 'issued' then amount_usd else 0 end) as issued_usd,
        sum(case when entry_type = 'consumed' then amount_usd else 0 end) as consumed_usd,
        sum(case when entry_type = 'consumed' and credit_type = 'discount_coupon' then amount_usd else 0 end)
            as discount_usd,
        sum(case when entry_type = 'expired' then amount_usd else 0 end) as expired_usd,
        sum(case when credit_type = 'free_credit' then balance_change_usd else 0 end)
            as free_credit_change_usd,
        sum(case when credit_type = 'discount_coupon' then balance_change_usd else 0 end)
            as discount_coupon_change_usd,
    from {{ ref('int_credit_ledger_entries') }}
    group by account_id, entry_date
{%- endmacro %}


{#- Each account's days: from its first credit's first day to its last expiry, or the as-of date. -#}
{% macro credit_balance_account_ranges() -%}
    select
        account_id,
        min(first_active_on) as first_day,
        least(max(cast(expires_at as date)), {{ as_of_date() }}) as last_day,
    from {{ ref('int_credits_issued') }}
    group by account_id
{%- endmacro %}


{#-
    Whether fct_account_credit_balance_daily recomputes only some accounts' days: not on a
    first or full build, nor after a change to its SQL, nor when a saved input is missing.
-#}
{% macro credit_balance_continued() -%}
    {{ return(not recomputes_everything(credit_balance_inputs, as_of_column=none)) }}
{%- endmacro %}


{#-
    Per account, the first day whose row changes: the first day whose ledger sums changed or
    whose spend was recomputed since the last build, or the day after the shorter of its old
    and new ranges when only the end of its range moved. An account whose first day moved,
    that appeared or that went is recomputed whole (`recompute_from` = its first day, or null
    when it has no days now).
-#}
{% macro credit_balance_changes() -%}
    {%- set inputs = credit_balance_inputs() -%}
    with
    current_ranges as ({{ inputs.ranges }}),
    current_entries as (select * from {{ run_table('entries') }}),
    applied_ranges as (select * from {{ applied_input('ranges') }}),
    range_changes as (
        select
            coalesce(current_ranges.account_id, applied_ranges.account_id) as account_id,
            current_ranges.first_day,
            case
                when current_ranges.first_day is distinct from applied_ranges.first_day
                    then current_ranges.first_day
                else {{ add_days('least(current_ranges.last_day, applied_ranges.last_day)', 1) }}
            end as changed_from,
            current_ranges.first_day is distinct from applied_ranges.first_day as replaces_all_days,
        from current_ranges
        full join applied_ranges
            on current_ranges.account_id = applied_ranges.account_id
        where current_ranges.first_day is distinct from applied_ranges.first_day
            or current_ranges.last_day is distinct from applied_ranges.last_day
    ),
    entry_changes as (
        select account_id, min(entry_date) as changed_from,
        from ({{ changed_rows('select * from current_entries', applied_input('entries')) }})
        group by account_id
    ),
    spend_changes as (
        select account_id, min(date_day) as changed_from,
        from ({{ spend_days_recomputed() }})
        group by account_id
    ),
    changes as (
        select account_id, changed_from, replaces_all_days from range_changes
        union all
        select account_id, changed_from, false from entry_changes
        union all
        select account_id, changed_from, false from spend_changes
    )
    select
        changes.account_id,
        current_ranges.first_day,
        current_ranges.last_day,
        case
            when bool_or(changes.replaces_all_days) then current_ranges.first_day
            else greatest(min(changes.changed_from), current_ranges.first_day)
        end as recompute_from,
        bool_or(changes.replaces_all_days) or current_ranges.account_id is null as replaces_all_days,
    from changes
    left join current_ranges
        on changes.account_id = current_ranges.account_id
    group by changes.account_id, current_ranges.account_id, current_ranges.first_day, current_ranges.last_day
{%- endmacro %}


{#-
    Before the insert: drop every row, or, in a continued build, keep the ledger sums and the
    change set, then drop the changed accounts' rows from their first changed day. Its run
    tables: `entries` (the ledger summed per account and day, read by the change set, the
    model and the saved input) and `changes` (the change set, read by the delete and the
    model), so the ledger is summed once per run instead of four times.
-#}
{% macro delete_changed_credit_balance_days() -%}
    {%- if is_incremental() -%}
    {%- if credit_balance_continued() %}
    create or replace temporary table {{ run_table('entries') }} as {{ credit_balance_daily_entries() }};
    create or replace temporary table {{ run_table('changes') }} as {{ credit_balance_changes() }};
    delete from {{ this }}
    using {{ run_table('changes') }} as changed
    where changed.account_id = {{ this }}.account_id
        and (changed.replaces_all_days or {{ this }}.date_day >= changed.recompute_from)
    {%- else %}
    delete from {{ this }}
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- After the build: save the inputs, the ledger sums from the pre-hook's table when it made one. -#}
{% macro save_credit_balance_inputs() -%}
    {%- if model.resource_type != 'unit_test' -%}
    {%- set inputs = credit_balance_inputs() -%}
    {%- if is_incremental() and credit_balance_continued() -%}
    {%- do inputs.update({'entries': 'select * from ' ~ run_table('entries')}) -%}
    {%- endif %}
    {{ save_applied_inputs(inputs) }}
    drop table if exists {{ run_table('entries') }};
    drop table if exists {{ run_table('changes') }};
    {%- endif -%}
{%- endmacro %}


{#-
    What fct_creative_requests is computed from: the tier days it read (saved like
    fct_account_tier_daily's, so that planned_tier_days can tell which of them changed
    since), the request and account landing files, and the SQL that reads them.
-#}
{% macro creative_requests_inputs() -%}
    {%- set inputs = account_tier_daily_inputs() -%}
    {%- do inputs.update({
        'caps': 'select tier, weekly_creative_cap from ' ~ ref('tier_thresholds'),
        'landing_files': landing_files(['creative_requests', 'accounts']),
        'code': code_input([
            'base_ads_manager__accounts', 'stg_ads_manager__accounts',
            'base_tiktok_one__creative_requests', 'stg_tiktok_one__creative_requests',
            'fct_creative_requests',
        ]),
    }) -%}
    {{ return(inputs) }}
{%- endmacro %}


{#-
    Whether fct_creative_requests recomputes every request: on a first or full build, when
    the requests, the accounts, the weekly caps or the SQL changed, when the tier thresholds
    changed (every tier day is replanned), or when the as-of date went back (requests leave
    the view).
-#}
{% macro creative_requests_rebuilt() -%}
    {{ return(
        recomputes_everything(creative_requests_inputs, whole_on=['caps', 'landing_files', 'code'])
        or planned_tier_days(this.identifier, this.schema).plans_all
    ) }}
{%- endmacro %}


{#- What int_downgrade_warnings_raised is computed from: the tier days it read, and its SQL. -#}
{% macro downgrade_warnings_inputs() -%}
    {%- set inputs = account_tier_daily_inputs() -%}
    {%- do inputs.update({'code': code_input(['int_downgrade_warnings_raised'])}) -%}
    {{ return(inputs) }}
{%- endmacro %}


{#-
    Whether int_downgrade_warnings_raised recomputes every warning: on a first or full
    build, when its SQL or the tier thresholds changed, or when the as-of date went back.
-#}
{% macro downgrade_warnings_rebuilt() -%}
    {{ return(
        recomputes_everything(downgrade_warnings_inputs)
        or planned_tier_days(this.identifier, this.schema).plans_all
    ) }}
{%- endmacro %}


{#-
    Before the insert: drop every warning, or those raised again from the tier rows: of
    accounts replanned whole, or raised on a replanned day. The warnings watching a
    replanned day stay for the model to read; the insert replaces them (delete+insert).
-#}
{% macro delete_recomputed_downgrade_warnings() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    {%- if not downgrade_warnings_rebuilt() %}
    using ({{ planned_tier_days(this.identifier, this.schema).sql }}) as planned
    where {{ this }}.account_id = planned.account_id
        and (
            planned.replaces_all_days
            or {{ this }}.warning_date between planned.recompute_from and planned.recompute_to
        )
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#-
    What the credit allocation models (int_credit_allocation_days, int_credits_consumed_daily,
    int_credit_ledger_entries, fct_credit_ledger) are computed from, saved by each: the
    credits, the as-of date and time with how far int_account_spend_daily had been read, and
    the SQL of the whole chain (a change to one model changes what the ones after it read, so
    all of them recompute everything).
-#}
{% macro credit_chain_inputs() -%}
    {{ return({
        'credits': 'select * from ' ~ ref('int_credits_issued'),
        'build': 'select ' ~ as_of_date() ~ ' as as_of_date, ' ~ as_of_end_at() ~ ' as as_of_end_at, '
            ~ spend_read_through(),
        'code': code_input([
            'int_credit_allocation_days', 'int_credits_consumed_daily',
            'int_credit_ledger_entries', 'fct_credit_ledger',
        ]),
    }) }}
{%- endmacro %}


{#-
    Whether a credit allocation model recomputes everything: on a first or full build, when
    its SQL changed, when a saved input is missing, or when the as-of date went back.
-#}
{% macro credit_chain_rebuilt() -%}
    {{ return(recomputes_everything(credit_chain_inputs)) }}
{%- endmacro %}


{#- The credits added, removed or changed since the last build, old and new versions both. -#}
{% macro credits_changed() -%}
    {{ changed_rows(credit_chain_inputs().credits, applied_input('credits')) }}
{%- endmacro %}


{#-
    The spend days that changed for a credit model since its last build: recomputed by
    int_account_spend_daily since, or brought inside the as-of date by a later one. Spend
    after the as-of date is not known yet and takes no credit.
-#}
{% macro spend_days_refreshed() -%}
    {#- Two selects, not one with `or`: each bound alone lets the scan skip row groups. -#}
    select account_id, date_day
    from ({{ spend_days_recomputed() }})
    where date_day <= {{ as_of_date() }}
    union
    select account_id, date_day
    from {{ ref('int_account_spend_daily') }}
    where date_day > (select as_of_date from {{ applied_input('build') }})
        and date_day <= {{ as_of_date() }}
{%- endmacro %}


{#-
    The accounts whose credit consumption can have changed since the last build: those whose
    credits changed, and those with a recomputed spend day in one of their credits' active
    days. With `expiries`, also those with a credit that expired since (its expired entry).
-#}
{% macro credit_accounts_changed(expiries=false) -%}
    select account_id from ({{ credits_changed() }})
    union
    select spend_days.account_id
    from ({{ spend_days_refreshed() }}) as spend_days
    semi join {{ ref('int_credits_issued') }} as credits
        on spend_days.account_id = credits.account_id
        and spend_days.date_day between credits.first_active_on and credits.last_active_on
    {%- if expiries %}
    union
    select account_id from {{ ref('int_credits_issued') }}
    where expires_at >= (select as_of_end_at from {{ applied_input('build') }})
        and expires_at < {{ as_of_end_at() }}
    {%- endif %}
{%- endmacro %}


{#- Before the insert: drop every row, or the rows of the accounts `accounts` (a query) lists. -#}
{% macro delete_changed_credit_accounts(rebuilt, accounts) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    {%- if not rebuilt %}
    where account_id in ({{ accounts }})
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#-
    The first day int_credit_allocation_days recomputes: the earliest refreshed spend day or
    first active day of a changed credit. One min() subquery, which DuckDB applies to the scan
    of a date-ordered table (it does not with least() of two), and a far date when nothing
    changed, as a null bound would read every row. Arguments are the two queries.
-#}
{% macro allocation_days_recomputed_from(spend_days_query, credits_changed_query) -%}
    coalesce(
        (
            select min(first_day) from (
                select date_day as first_day from ({{ spend_days_query }})
                union all
                select first_active_on from ({{ credits_changed_query }})
            )
        ),
        date '9999-12-31'
    )
{%- endmacro %}


{#-
    Before int_credit_allocation_days inserts: drop every row, or the recomputed spend days
    and the days in the old or new active range of a changed credit.
-#}
{% macro delete_recomputed_allocation_days(rebuilt) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    {%- if not rebuilt %}
    where date_day >= {{ allocation_days_recomputed_from(spend_days_refreshed(), credits_changed()) }}
        and ((account_id, date_day) in ({{ spend_days_refreshed() }})
        or exists (
            select 1 from ({{ credits_changed() }}) as changed
            where changed.account_id = {{ this }}.account_id
                and {{ this }}.date_day between changed.first_active_on and changed.last_active_on
        ))
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- What int_account_months_spent is computed from: how far the spend had been read, the as-of month, and its SQL. -#}
{% macro account_months_spent_inputs() -%}
    {{ return({
        'build': 'select ' ~ spend_read_through() ~ ', ' ~ month_start(as_of_date()) ~ ' as as_of_month',
        'code': code_input(['int_account_spend_months', 'int_account_months_spent']),
    }) }}
{%- endmacro %}


{#-
    Whether int_account_months_spent recomputes only some accounts' months: not on a first or
    full build, after a change to its SQL, when a saved input is missing, or when the as-of
    month went back.
-#}
{% macro account_months_spent_continued() -%}
    {{ return(not recomputes_everything(
        account_months_spent_inputs, as_of_column='as_of_month', as_of=month_start(as_of_date())
    )) }}
{%- endmacro %}


{#-
    Per account, the first month whose row changes: the month of its first spend day
    recomputed since the last build, or the month after the last as-of month for every
    account with spend when the as-of month moved on (also those without rows yet, whose
    spend lay after it); from its first month when its first spend day changed
    (`first_spend_changed`; its old rows all go).
-#}
{% macro account_months_recomputed() -%}
    {%- set build = applied_input('build') -%}
    with
    changes as (
        select
            account_id,
            min({{ month_start('date_day') }}) as changed_from,
        from ({{ spend_days_recomputed() }})
        group by account_id
        union all
        select
            account_id,
            {{ add_months('(select as_of_month from ' ~ build ~ ')', 1) }},
        from {{ ref('int_account_spend_months') }}
        where {{ month_start(as_of_date()) }} > (select as_of_month from {{ build }})
        group by account_id
    ),
    changed as (
        select account_id, min(changed_from) as changed_from,
        from changes
        group by account_id
    ),
    first_spend as (
        select account_id, min(first_spend_in_month_on) as first_spend_on,
        from {{ ref('int_account_spend_months') }}
        where account_id in (select account_id from changed)
        group by account_id
    ),
    saved_first_spend as (
        select account_id, any_value(first_spend_on) as first_spend_on,
        from {{ this }}
        where account_id in (select account_id from changed)
        group by account_id
    )
    select
        changed.account_id,
        first_spend.first_spend_on,
        first_spend.first_spend_on is distinct from saved_first_spend.first_spend_on as first_spend_changed,
        case
            when first_spend.first_spend_on is distinct from saved_first_spend.first_spend_on
                then {{ month_start('first_spend.first_spend_on') }}
            else changed.changed_from
        end as recompute_from,
    from changed
    left join first_spend
        on changed.account_id = first_spend.account_id
    left join saved_first_spend
        on changed.account_id = saved_first_spend.account_id
{%- endmacro %}


{#- Before the insert: drop every row, or the recomputed accounts' months from their first recomputed one. -#}
{% macro delete_recomputed_account_months() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    {%- if account_months_spent_continued() %}
    using ({{ account_months_recomputed() }}) as recomputed
    where recomputed.account_id = {{ this }}.account_id
        and (recomputed.first_spend_changed or {{ this }}.month_start_on >= recomputed.recompute_from)
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#-
    The ids of the requests that the as-of date made visible since fct_creative_requests was
    last built, read from the landing files (one column) and written out as literals: a
    filter on literal ids reaches below the duplicate-key window of the staging view, which
    partitions by request_id, so only those requests are checked, not the whole history.
-#}
{% macro creative_requests_made_visible() -%}
    {%- set query -%}
        select distinct cast(request_id as varchar)
        from {{ source('tiktok_one', 'creative_requests') }}
        where request_id is not null
            and cast(cast(requested_at as timestamp) as date) > (select as_of_date from {{ applied_input('build') }})
            and cast(cast(requested_at as timestamp) as date) <= {{ as_of_date() }}
        order by 1
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}
