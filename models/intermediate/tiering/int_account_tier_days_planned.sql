{{ config(materialized='table') }}

{#-
    Which tier days this build recomputes, per TikTok One account: one or two ranges of days
    [recompute_from, recompute_to], planned by planned_tier_days against what
    fct_account_tier_daily was last built from (the new days, [c, c+59] for each recomputed
    spend day c, whole histories of new, changed or departed members; every day on a full
    build).
-#}

{{ planned_tier_days('fct_account_tier_daily', 'marts').sql }}
