{#-
    Each account has at most one spend-match row that is not a duplicate (one offer, one credit
    due), and duplicates only exist next to a counted credit of the same account.
-#}
with

reconciliation as (
    select * from {{ ref('fct_spend_match_reconciliation') }}
),

final as (
    select
        account_id,
        sum(case when status != 'duplicate' then 1 else 0 end) as counted_rows,
        sum(case when status = 'duplicate' then 1 else 0 end) as duplicate_rows
    from reconciliation
    group by account_id
    having sum(case when status != 'duplicate' then 1 else 0 end) != 1
)

select * from final
