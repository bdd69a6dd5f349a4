with

reconciled as (
    select * from {{ ref('int_spend_match_credits_reconciled') }}
),

spend_match_offers as (
    select * from {{ ref('spend_match_offers') }}
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
        expected_expires_at
    from reconciled
),

-- A one-line status a support agent can paste, with the offer's own numbers from the seed.
reasoned as (
    select
        final.*,
        case final.status
            when 'issued_on_time' then
                'Issued ' || {{ format_utc_time('final.issued_at') }} || ', within '
                || cast(offers.processing_sla_hours as string) || ' hours of the trigger at '
                || {{ format_utc_time('final.trigger_at') }} || ': on time.'
            when 'issued_late' then
                'Issued ' || {{ format_utc_time('final.issued_at') }} || ', after the deadline '
                || {{ format_utc_time('final.due_by') }} || ' ('
                || cast(offers.processing_sla_hours as string) || ' hours after the trigger at '
                || {{ format_utc_time('final.trigger_at') }} || '): late.'
            when 'issued_early' then
                'Issued ' || {{ format_utc_time('final.issued_at') }}
                || ', before the credit was due at ' || {{ format_utc_time('final.trigger_at') }}
                || ': early.'
            when 'pending' then
                'Eligible spend reached the offer''s ' || {{ format_usd('offers.spend_threshold_usd') }}
                || ' (counted from ' || {{ format_utc_time('final.threshold_crossed_at') }}
                || ') with a payment method on file at ' || {{ format_utc_time('final.trigger_at') }}
                || '; the ' || {{ format_usd('final.expected_amount_usd') }} || ' credit is due by '
                || {{ format_utc_time('final.due_by') }} || ': pending, not issued yet.'
            when 'missing' then
                'Eligible spend reached the offer''s ' || {{ format_usd('offers.spend_threshold_usd') }}
                || ' (counted from ' || {{ format_utc_time('final.threshold_crossed_at') }}
                || ') with a payment method on file at ' || {{ format_utc_time('final.trigger_at') }}
                || '; the ' || {{ format_usd('final.expected_amount_usd') }} || ' credit was due by '
                || {{ format_utc_time('final.due_by') }} || ' and was not issued: missing.'
            when 'unexpected' then
                'Recorded ' || {{ format_usd('final.amount_usd') }} || ' on '
                || {{ format_utc_time('final.issued_at') }} || ', but nothing is due: '
                || case final.not_due_reason
                    when 'no_offer' then 'no spend-match offer for the account''s country on its creation day'
                    when 'not_first_time_advertiser' then 'the account is not a first-time advertiser'
                    when 'business_profile_not_completed' then 'its business profile is not completed'
                    when 'threshold_not_crossed' then 'its eligible spend has not reached the offer''s '
                        || {{ format_usd('offers.spend_threshold_usd') }}
                    when 'no_payment_method' then 'no payment method was ever linked'
                    when 'no_payment_method_after_crossing'
                        then 'no payment method was linked at or after the threshold was reached'
                    else final.not_due_reason
                end || ': unexpected.'
            else
                'Another spend-match credit for the account, issued '
                || {{ format_utc_time('final.issued_at') }} || ', after its first ('
                || coalesce(first_credits.credit_id, 'unknown') || '): duplicate.'
        end
        || case
            when final.amount_mismatch
                then ' Amount ' || {{ format_usd('final.amount_usd') }} || ' differs from the offer''s '
                    || {{ format_usd('offers.credit_amount_usd') }} || '.'
            else ''
        end
        || case
            when final.expiry_mismatch
                then ' Expires ' || {{ format_utc_time('final.expires_at') }} || ', not '
                    || cast(offers.credit_validity_days as string) || ' days after issue ('
                    || {{ format_utc_time('final.expected_expires_at') }} || ').'
            else ''
        end as status_reason
    from final
    left join spend_match_offers as offers
        on final.offer_id = offers.offer_id
    left join final as first_credits
        on final.status = 'duplicate'
        and final.account_id = first_credits.account_id
        and first_credits.status != 'duplicate'
        and first_credits.credit_id is not null
)

select * from reasoned
