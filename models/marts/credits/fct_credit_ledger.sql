{#-
    The credit ledger mart: int_credit_ledger_entries as published.

    Incremental like its source: a run replaces the entries of the accounts whose credits
    changed, with a recomputed spend day in a credit's active days, or with a credit that
    expired since its last build (credit_accounts_changed), and every entry on a first or
    full build, after a change to the credit chain's SQL, or when the as-of date went back.
-#}
{%- set rebuilt = credit_chain_rebuilt() -%}

-- depends_on: {{ ref('int_account_spend_daily') }}, {{ ref('int_credits_issued') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_credit_accounts(credit_chain_rebuilt(), credit_accounts_changed(expiries=true)) }}",
    post_hook="{{ save_inputs(credit_chain_inputs) }}",
) }}

with

{% if not rebuilt %}
accounts_changed as (
    {{ credit_accounts_changed(expiries=true) }}
),
{% endif %}

ledger_entries as (
    select * from {{ ref('int_credit_ledger_entries') }}
    {% if not rebuilt %}
    where account_id in (select account_id from accounts_changed)
    {% endif %}
),

final as (
    select
        ledger_entry_id,
        credit_id,
        account_id,
        credit_source,
        credit_type,
        entry_type,
        entry_order,
        amount_usd,
        balance_change_usd,
        remaining_usd,
        entry_date,
    from ledger_entries
)

select * from final
