{#-
    Creator Next eligibility (RULES.md section 11) on every stat day: each rule as its own
    pass/fail flag, and the failed ones named in a fixed order. Thresholds come from the seeds
    (creator_next_regions per region, creator_next_requirements for everyone).

    A rule whose input is unknown fails: eligibility unlocks monetisation, so it needs
    evidence (no birth date, no country, no follower count, no standing: not eligible).

    The birth date is turned into an age here and goes no further.

    A view: its only reader is fct_creator_next_eligibility_daily, which stores the same rows
    (tens of millions at full scale), so a table here would write them twice.
-#}
{{ config(materialized='view') }}
{%- set rules = ['age', 'region', 'account_type', 'followers', 'views', 'posts', 'standing'] -%}

with

stats_rolled as (
    select * from {{ ref('int_creator_stats_rolled_30d') }}
),

creators as (
    select * from {{ ref('stg_creators__creators') }}
),

creator_next_regions as (
    select * from {{ ref('creator_next_regions') }}
),

creator_next_requirements as (
    select * from {{ ref('creator_next_requirements') }}
),

joined as (
    select
        stats_rolled.creator_id,
        stats_rolled.date_day,
        creators.country_code,
        creators.account_type,
        -- Whole years; a 29 February birthday counts from 1 March in common years.
        {{ years_between('creators.birth_date', 'stats_rolled.date_day') }} as age_years,
        stats_rolled.follower_count,
        stats_rolled.views_30d,
        stats_rolled.posts_30d,
        stats_rolled.stat_days_30d,
        stats_rolled.in_good_standing,
        creator_next_regions.available_from as region_available_from,
        creator_next_regions.min_followers,
        creator_next_requirements.min_age_years,
        creator_next_requirements.min_views_30d,
        creator_next_requirements.min_posts_30d
    from stats_rolled
    inner join creators
        on stats_rolled.creator_id = creators.creator_id
    left join creator_next_regions
        on creators.country_code = creator_next_regions.country_code
    cross join creator_next_requirements
),

checked as (
    select
        *,
        coalesce(age_years >= min_age_years, false) as passes_age,
        coalesce(region_available_from <= date_day, false) as passes_region,
        coalesce(account_type = 'personal', false) as passes_account_type,
        -- Outside the listed regions there is no minimum to reach: fails.
        coalesce(follower_count >= min_followers, false) as passes_followers,
        coalesce(views_30d >= min_views_30d, false) as passes_views,
        coalesce(posts_30d >= min_posts_30d, false) as passes_posts,
        coalesce(in_good_standing, false) as passes_standing
    from joined
),

final as (
    select
        creator_id,
        date_day,
        country_code,
        account_type,
        nullif(concat_ws(', ',
            {%- for rule in rules %}
            case when not passes_{{ rule }} then '{{ rule }}' end{% if not loop.last %},{% endif %}
            {%- endfor %}
        ), '') as failed_rules,
        age_years,
        follower_count,
        min_followers,
        views_30d,
        posts_30d,
        stat_days_30d,
        {% for rule in rules %}passes_{{ rule }}{% if not loop.last %} and {% endif %}{% endfor %} as is_eligible,
        {%- for rule in rules %}
        passes_{{ rule }},
        {%- endfor %}
        in_good_standing,
        region_available_from
    from checked
)

select * from final
