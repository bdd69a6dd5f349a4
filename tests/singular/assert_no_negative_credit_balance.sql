{{ config(meta={'dagster': {'ref': {'name': 'fct_account_credit_balance_daily'}}}) }}
{#- No credit, and no account on any day, ever holds a negative balance (RULES.md section 9). -#}
with

ledger as (
    select * from {{ ref('fct_credit_ledger') }}
),

issuance as (
    select * from {{ ref('fct_credit_issuance') }}
),

balance_daily as (
    select * from {{ ref('fct_account_credit_balance_daily') }}
),

final as (
    select
        'fct_credit_ledger' as source_model,
        ledger_entry_id as row_key,
        remaining_usd as balance_usd
    from ledger
    where remaining_usd < 0 or amount_usd < 0
    union all
    select
        'fct_credit_issuance',
        credit_id,
        remaining_usd
    from issuance
    where remaining_usd < 0 or consumed_usd < 0 or expired_usd < 0
    union all
    select
        'fct_account_credit_balance_daily',
        account_id || '|' || cast(date_day as string),
        balance_usd
    from balance_daily
    where balance_usd < 0 or free_credit_balance_usd < 0 or discount_coupon_balance_usd < 0
)

select * from final
