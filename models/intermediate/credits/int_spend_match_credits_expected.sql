{#-
    The spend-match credits that are due (RULES.md section 6): eligible accounts that crossed
    their threshold and have a payment method on file at or after the crossing.

    trigger_at is the earliest moment m >= threshold_crossed_at with a linked method
    (linked_at <= m, removed_at null or after m). For one method the earliest such moment is
    greatest(threshold_crossed_at, linked_at), valid when the method is not removed by then;
    the trigger is the minimum over the account's methods. A method removed and added again
    is a new method row, so the gap between them is handled without a timeline. The credit
    is due in [trigger_at, due_by], due_by = trigger_at + processing_sla_hours.
-#}
with

thresholds as (
    select * from {{ ref('int_spend_match_thresholds_crossed') }}
),

payment_methods as (
    select * from {{ ref('int_payment_methods_as_of') }}
),

crossed as (
    select *
    from thresholds
    where is_eligible
        and threshold_crossed_at is not null
),

candidate_moments as (
    select
        crossed.account_id,
        greatest(crossed.threshold_crossed_at, payment_methods.linked_at) as candidate_at,
        payment_methods.removed_at
    from crossed
    inner join payment_methods
        on crossed.account_id = payment_methods.account_id
),

triggers as (
    select
        account_id,
        min(candidate_at) as trigger_at
    from candidate_moments
    where removed_at is null
        or removed_at > candidate_at
    group by account_id
),

final as (
    select
        crossed.account_id,
        crossed.offer_id,
        crossed.spend_threshold_usd,
        crossed.credit_amount_usd,
        crossed.credit_validity_days,
        crossed.processing_sla_hours,
        crossed.threshold_crossed_on,
        crossed.threshold_crossed_at,
        triggers.trigger_at,
        {{ add_hours('triggers.trigger_at', 'crossed.processing_sla_hours') }} as due_by
    from crossed
    inner join triggers
        on crossed.account_id = triggers.account_id
)

select * from final
