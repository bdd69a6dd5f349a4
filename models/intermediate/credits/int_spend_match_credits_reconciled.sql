{#-
    Expected spend-match credits against the ones billing recorded (RULES.md section 6), one
    row per expected or recorded credit.

    Matching: an account has at most one offer and one credit is due, so recorded credits are
    matched per account. Its first recorded spend_match credit (issued_at, then credit_id) is
    the one compared with the expectation (issued_early / issued_on_time / issued_late, or
    unexpected when nothing was due); every later one is a duplicate. An expected credit with
    nothing recorded is pending while due_by has not passed at the as-of time, else missing.
    Recorded credits issued after the as-of time are not known yet.
-#}
with

thresholds as (
    select * from {{ ref('int_spend_match_thresholds_crossed') }}
),

expected as (
    select * from {{ ref('int_spend_match_credits_expected') }}
),

payment_methods as (
    select * from {{ ref('int_payment_methods_as_of') }}
),

billing_credits as (
    select * from {{ ref('stg_billing__billing_credits') }}
),

recorded as (
    select
        credit_id,
        account_id,
        source_ref,
        amount_usd,
        issued_at,
        expires_at,
        row_number() over (partition by account_id order by issued_at, credit_id) as recorded_rank
    from billing_credits
    where credit_source = 'spend_match'
        and issued_at < {{ as_of_end_at() }}
),

accounts_with_payment_method as (
    select distinct account_id
    from payment_methods
),

-- The first recorded credit of an account meets its expectation; later ones match nothing.
keys as (
    select
        coalesce(recorded.account_id, expected.account_id) as account_id,
        recorded.credit_id
    from recorded
    full outer join expected
        on recorded.account_id = expected.account_id
        and recorded.recorded_rank = 1
),

joined as (
    select
        keys.account_id,
        keys.credit_id,
        thresholds.offer_id,
        thresholds.is_eligible,
        thresholds.threshold_crossed_at,
        expected.trigger_at,
        expected.due_by,
        expected.account_id is not null as is_credit_due,
        thresholds.credit_amount_usd as offer_credit_amount_usd,
        thresholds.credit_validity_days,
        recorded.source_ref,
        recorded.recorded_rank,
        recorded.amount_usd,
        recorded.issued_at,
        recorded.expires_at,
        case
            when thresholds.offer_id is null then 'no_offer'
            when not thresholds.is_first_time_advertiser then 'not_first_time_advertiser'
            when not thresholds.has_completed_business_profile then 'business_profile_not_completed'
            when thresholds.threshold_crossed_at is null then 'threshold_not_crossed'
            when accounts_with_payment_method.account_id is null then 'no_payment_method'
            else 'no_payment_method_after_crossing'
        end as not_due_reason
    from keys
    left join expected
        on keys.account_id = expected.account_id
    left join recorded
        on keys.credit_id = recorded.credit_id
    left join thresholds
        on keys.account_id = thresholds.account_id
    left join accounts_with_payment_method
        on keys.account_id = accounts_with_payment_method.account_id
),

final as (
    select
        coalesce(credit_id, 'expected:' || account_id) as reconciliation_id,
        account_id,
        offer_id,
        credit_id,
        source_ref,
        case
            when recorded_rank > 1 then 'duplicate'
            when credit_id is not null and not is_credit_due then 'unexpected'
            when issued_at < trigger_at then 'issued_early'
            when issued_at <= due_by then 'issued_on_time'
            when credit_id is not null then 'issued_late'
            when due_by >= {{ as_of_end_at() }} then 'pending'
            else 'missing'
        end as status,
        case when not is_credit_due then not_due_reason end as not_due_reason,
        coalesce(is_eligible, false) as is_eligible,
        is_credit_due,
        case when is_credit_due then offer_credit_amount_usd end as expected_amount_usd,
        amount_usd,
        -- Compared with the account's offer whenever both sides exist; null otherwise.
        case
            when credit_id is not null and offer_id is not null
                then round(amount_usd, 2) != offer_credit_amount_usd
        end as amount_mismatch,
        case
            when credit_id is not null and offer_id is not null
                then expires_at != {{ add_hours('issued_at', 'credit_validity_days * 24') }}
        end as expiry_mismatch,
        threshold_crossed_at,
        trigger_at,
        due_by,
        issued_at,
        expires_at,
        case
            when credit_id is not null and offer_id is not null
                then {{ add_hours('issued_at', 'credit_validity_days * 24') }}
        end as expected_expires_at
    from joined
)

select * from final
