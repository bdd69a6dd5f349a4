{#-
    Which coupon redemption attempts are applied (RULES.md section 7). See the doc block
    int_coupon_attempts_decided for the formulation; in short:

    Only candidates (attempts passing the rules that do not depend on other attempts) can be
    applied, and only applied attempts affect others: through their code (rule 3, at most
    max_redemptions applied) and through their account (rule 5, an applied coupon credit is
    active from attempted_at until its expiry). Applied coupon credits of one account never
    overlap (an overlapping one would have been blocked), so "an applied credit is active at
    t" is "the latest expiry among earlier applied attempts of the account is after t".

    `decisions` finds the applied set by a fixed point over rounds, all attempts at once: a
    round decides every undecided candidate whose fate no undecided earlier attempt can change
    (see the case below); the earliest undecided candidate is always decidable, so each round
    decides at least one and the recursion ends. In practice two or three rounds decide all.
-#}
with recursive

checked as (
    select * from {{ ref('int_coupon_attempts_checked') }}
),

candidates as (
    select
        attempt_id,
        account_id,
        coupon_code_hash,
        max_redemptions,
        attempted_at,
        credit_expires_at,
    from checked
    where is_candidate
),

decisions (
    decision_round,
    attempt_id,
    account_id,
    coupon_code_hash,
    max_redemptions,
    attempted_at,
    credit_expires_at,
    is_applied
) as (
    select
        0,
        attempt_id,
        account_id,
        coupon_code_hash,
        max_redemptions,
        attempted_at,
        credit_expires_at,
        cast(null as boolean),
    from candidates

    union all

    -- A recursive term reads the previous round once, so the round's facts about earlier
    -- attempts are window functions over it (in attempted_at, attempt_id order).
    select
        decision_round + 1,
        attempt_id,
        account_id,
        coupon_code_hash,
        max_redemptions,
        attempted_at,
        credit_expires_at,
        case
            when is_applied is not null then is_applied
            -- Settled no: the code is used up, or an applied credit of the account is active.
            when applied_earlier_on_code >= max_redemptions then false
            when applied_credit_active_until > attempted_at then false
            -- Settled yes: even if every undecided earlier attempt were applied, the code
            -- has room, and no undecided earlier attempt of the account could cover this one.
            when applied_earlier_on_code + undecided_earlier_on_code < max_redemptions
                and coalesce(undecided_credit_active_until <= attempted_at, true) then true
        end,
    from (
        select
            *,
            coalesce(sum(case when is_applied then 1 else 0 end) over earlier_on_code, 0)
                as applied_earlier_on_code,
            coalesce(sum(case when is_applied is null then 1 else 0 end) over earlier_on_code, 0)
                as undecided_earlier_on_code,
            max(case when is_applied then credit_expires_at end) over earlier_on_account
                as applied_credit_active_until,
            max(case when is_applied is null then credit_expires_at end) over earlier_on_account
                as undecided_credit_active_until,
            sum(case when is_applied is null then 1 else 0 end) over () as undecided_attempts,
        from decisions
        window
            earlier_on_code as (
                partition by coupon_code_hash
                order by attempted_at, attempt_id
                rows between unbounded preceding and 1 preceding
            ),
            earlier_on_account as (
                partition by account_id
                order by attempted_at, attempt_id
                rows between unbounded preceding and 1 preceding
            )
    ) as previous_round
    where undecided_attempts > 0
),

applied as (
    select
        attempt_id,
        is_applied,
        decision_round as decided_in_rounds
    from decisions
    qualify decision_round = max(decision_round) over ()
)

select * from applied
