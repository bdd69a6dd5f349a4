{#-
    The spend-match offer of each account (RULES.md section 6): the offer for its
    country_code whose [valid_from, valid_to] holds ads_manager_created_on, and whether the
    account is eligible: a first-time advertiser whose business profile is completed. A
    profile completed after the as-of date is not completed yet. Should two offers of one
    country overlap, the one that started last wins (then the highest offer_id).
-#}
with

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

spend_match_offers as (
    select * from {{ ref('spend_match_offers') }}
),

offered as (
    select
        accounts.account_id,
        spend_match_offers.offer_id,
        accounts.country_code,
        spend_match_offers.spend_threshold_usd,
        spend_match_offers.credit_amount_usd,
        spend_match_offers.credit_validity_days,
        spend_match_offers.processing_sla_hours,
        coalesce(accounts.is_first_time_advertiser, false) as is_first_time_advertiser,
        coalesce(accounts.business_profile_completed_on <= {{ as_of_date() }}, false)
            as has_completed_business_profile,
        accounts.ads_manager_created_on,
        accounts.business_profile_completed_on
    from accounts
    inner join spend_match_offers
        on accounts.country_code = spend_match_offers.country_code
        and accounts.ads_manager_created_on >= spend_match_offers.valid_from
        and accounts.ads_manager_created_on <= spend_match_offers.valid_to
    qualify row_number() over (
        partition by accounts.account_id
        order by spend_match_offers.valid_from desc, spend_match_offers.offer_id desc
    ) = 1
),

final as (
    select
        account_id,
        offer_id,
        country_code,
        spend_threshold_usd,
        credit_amount_usd,
        credit_validity_days,
        processing_sla_hours,
        is_first_time_advertiser,
        has_completed_business_profile,
        is_first_time_advertiser and has_completed_business_profile as is_eligible,
        ads_manager_created_on,
        business_profile_completed_on
    from offered
)

select * from final
