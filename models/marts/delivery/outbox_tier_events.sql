{#-
    The notifications outbox: the tier events of each day, for the messaging system (which
    reads the day files orchestration/assets/outbox.py exports from this table). For a day D:
    downgrade warnings issued on D (an in-product notification and an email, docs/rules.md
    section 4), and the downgrades and upgrades taking effect on D (an in-product
    notification each; the program promises email only for the warning).

    Append-only and never fully refreshed (full_refresh=false): events already sent are never
    rewritten. A build writes the days after the last day holding events, up to its as-of date
    (the first build: its as-of date only), so a missed day is caught up and a build as of an
    earlier day writes nothing. A day's events depend only on spend up to that day, so a later
    build writes the same rows, except what keeps the tier: `spend_to_keep_tier_usd` and
    `keep_tier_by` come from the tier outlook, which exists for the as-of date only, and are
    null on a caught-up earlier day. event_id is stable: the messaging system can tell an event
    it has already sent from a new one.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    alias='tier_events',
    on_schema_change='fail'
) }}
-- The checks of the spine and the reconciled spend judge this before any event is written
-- (and those of the staged spend's volume: orchestration/translator.py).
-- depends_on: {{ ref('fct_account_tier_daily') }}

with

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

tier_changes as (
    select * from {{ ref('fct_tier_changes') }}
),

downgrade_warnings as (
    select * from {{ ref('fct_downgrade_warnings') }}
),

tier_outlook as (
    select * from {{ ref('fct_tier_outlook') }}
),

days_written as (
    select
        {% if is_incremental() -%}
        coalesce(
            (select max(event_date) from {{ this }}),
            {{ add_days('as_of.as_of_date', -1) }}
        )
        {%- else -%}
        {{ add_days('as_of.as_of_date', -1) }}
        {%- endif %} as after_day,
        as_of.as_of_date as through_day
    from as_of
),

changes as (
    select
        tier_changes.effective_date as event_date,
        tier_changes.change_type as event_type,
        tier_changes.account_id,
        tier_changes.from_tier,
        tier_changes.to_tier,
        cast(null as date) as scheduled_downgrade_date,
        cast(null as decimal(18, 2)) as spend_to_keep_tier_usd,
        cast(null as date) as keep_tier_by
    from tier_changes
    cross join days_written
    where tier_changes.effective_date > days_written.after_day
        and tier_changes.effective_date <= days_written.through_day
        and tier_changes.change_type in ('upgrade', 'downgrade')
),

warnings as (
    select
        downgrade_warnings.warning_date as event_date,
        'downgrade_warning' as event_type,
        downgrade_warnings.account_id,
        downgrade_warnings.tier_at_risk as from_tier,
        downgrade_warnings.projected_tier as to_tier,
        downgrade_warnings.scheduled_downgrade_date,
        tier_outlook.spend_to_keep_tier_usd,
        tier_outlook.keep_tier_by
    from downgrade_warnings
    cross join days_written
    left join tier_outlook
        on downgrade_warnings.account_id = tier_outlook.account_id
        and downgrade_warnings.warning_date = tier_outlook.as_of_date
    where downgrade_warnings.warning_date > days_written.after_day
        and downgrade_warnings.warning_date <= days_written.through_day
),

events as (
    select * from changes
    union all
    select * from warnings
),

channels as (
    select 'downgrade_warning' as event_type, 'in_product' as channel
    union all
    select 'downgrade_warning', 'email'
    union all
    select 'downgrade', 'in_product'
    union all
    select 'upgrade', 'in_product'
),

final as (
    select
        {{ hash_secret("concat_ws('|', events.event_type, channels.channel, events.account_id, cast(events.event_date as string))") }}
            as event_id,
        events.event_date,
        events.event_type,
        channels.channel,
        events.account_id,
        events.from_tier,
        events.to_tier,
        events.scheduled_downgrade_date,
        events.spend_to_keep_tier_usd,
        events.keep_tier_by
    from events
    inner join channels
        on events.event_type = channels.event_type
)

select * from final
