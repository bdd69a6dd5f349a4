with

reconciled as (
    select * from {{ ref('int_spend_match_credits_reconciled') }}
),

final as (
    select
        reconciliation_id,
        account_id,
        offer_id,
        credit_id,
        source_ref,
        status,
        not_due_reason,
        cast(round(expected_amount_usd, 2) as decimal(18, 2)) as expected_amount_usd,
        cast(round(amount_usd, 2) as decimal(18, 2)) as amount_usd,
        is_eligible,
        is_credit_due,
        amount_mismatch,
        expiry_mismatch,
        threshold_crossed_at,
        trigger_at,
        due_by,
        issued_at,
        expires_at,
        expected_expires_at,
    from reconciled
)

select * from final
