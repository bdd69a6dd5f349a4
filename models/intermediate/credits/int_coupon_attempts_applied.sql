{#-
    Which coupon redemption attempts are applied (RULES.md section 7). See the doc block
    int_coupon_attempts_decided for the formulation; in short:

    Only candidates (attempts passing the rules that do not depend on other attempts) can be
    applied, and only applied attempts affect others: through their code (rule 3, at most
    max_redemptions applied) and through their account (rule 5, an applied coupon credit is
    active from attempted_at until its expiry). Applied coupon credits of one account never
    overlap (an overlapping one would have been blocked), so "an applied credit is active at
    t" is "the latest expiry among earlier applied attempts of the account is after t".

    The applied set is a fixed point over rounds, all attempts at once: a round decides every
    undecided candidate whose fate no undecided earlier attempt can change (see the case
    below); the earliest undecided candidate is always decidable, so each round decides at
    least one. The rounds are written out (var `coupon_decision_rounds`, 16) rather than
    recursed, as engines without window functions in a recursive CTE need; extra rounds change
    nothing, and a candidate still undecided after the last fails the not_null test on
    is_applied (raise the var). In practice two to eight rounds decide all.
-#}
{%- set rounds = var('coupon_decision_rounds') | int %}

with

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
        credit_expires_at
    from checked
    where is_candidate
),

round_0 as (
    select
        *,
        cast(null as boolean) as is_applied,
        cast(null as integer) as decided_in_round
    from candidates
),
{% for round in range(1, rounds + 1) %}
round_{{ round }} as (
    select
        attempt_id,
        account_id,
        coupon_code_hash,
        max_redemptions,
        attempted_at,
        credit_expires_at,
        decision as is_applied,
        coalesce(decided_in_round, case when decision is not null then {{ round }} end) as decided_in_round
    from (
        select
            *,
            case
                when is_applied is not null then is_applied
                -- Settled no: the code is used up, or an applied credit of the account is active.
                when applied_earlier_on_code >= max_redemptions then false
                when applied_credit_active_until > attempted_at then false
                -- Settled yes: even if every undecided earlier attempt were applied, the code
                -- has room, and no undecided earlier attempt of the account could cover this one.
                when applied_earlier_on_code + undecided_earlier_on_code < max_redemptions
                    and coalesce(undecided_credit_active_until <= attempted_at, true) then true
            end as decision
        from (
            -- The previous round's facts about earlier attempts (attempted_at, attempt_id order).
            select
                *,
                coalesce(sum(case when is_applied then 1 else 0 end) over earlier_on_code, 0)
                    as applied_earlier_on_code,
                coalesce(sum(case when is_applied is null then 1 else 0 end) over earlier_on_code, 0)
                    as undecided_earlier_on_code,
                max(case when is_applied then credit_expires_at end) over earlier_on_account
                    as applied_credit_active_until,
                max(case when is_applied is null then credit_expires_at end) over earlier_on_account
                    as undecided_credit_active_until
            from round_{{ round - 1 }}
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
    ) as decided
),
{% endfor %}
applied as (
    select
        attempt_id,
        is_applied,
        -- The round after which no candidate was undecided.
        max(decided_in_round) over () as decided_in_rounds
    from round_{{ rounds }}
)

select * from applied
