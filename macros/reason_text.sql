{#- Pieces of the marts' plain-language reasons: numbers and dates as support pastes them. -#}

{#- "10,000" for a whole amount, "8,412.50" otherwise. -#}
{% macro format_amount(amount_expression) -%}
    {{ return(adapter.dispatch('format_amount', 'tiktok_one_warehouse')(amount_expression)) }}
{%- endmacro %}
{% macro duckdb__format_amount(amount_expression) -%}
    (case
        when ({{ amount_expression }}) = trunc({{ amount_expression }})
            then format('{:,.0f}', {{ amount_expression }})
        else format('{:,.2f}', round({{ amount_expression }}, 2))
    end)
{%- endmacro %}

{% macro spark__format_amount(amount_expression) -%}
    (case
        when ({{ amount_expression }}) = floor({{ amount_expression }})
            then format_number({{ amount_expression }}, 0)
        else format_number(round({{ amount_expression }}, 2), 2)
    end)
{%- endmacro %}

{#- "$10,000", "$8,412.50". -#}
{% macro format_usd(amount_expression) -%}
    ('$' || {{ format_amount(amount_expression) }})
{%- endmacro %}

{#- A UTC timestamp, "2026-02-05 00:00 UTC", with seconds only when it has some. -#}
{% macro format_utc_time(timestamp_expression) -%}
    {{ return(adapter.dispatch('format_utc_time', 'tiktok_one_warehouse')(timestamp_expression)) }}
{%- endmacro %}
{% macro duckdb__format_utc_time(timestamp_expression) -%}
    (case
        when second({{ timestamp_expression }}) = 0
            then strftime({{ timestamp_expression }}, '%Y-%m-%d %H:%M')
        else strftime({{ timestamp_expression }}, '%Y-%m-%d %H:%M:%S')
    end || ' UTC')
{%- endmacro %}

{% macro spark__format_utc_time(timestamp_expression) -%}
    (case
        when second({{ timestamp_expression }}) = 0
            then date_format({{ timestamp_expression }}, 'yyyy-MM-dd HH:mm')
        else date_format({{ timestamp_expression }}, 'yyyy-MM-dd HH:mm:ss')
    end || ' UTC')
{%- endmacro %}

{#- A tier code as people say it: Essential, Classic, Premium; `none` is "no tier". -#}
{% macro tier_label(tier_expression) -%}
    (case
        when ({{ tier_expression }}) = 'none' then 'no tier'
        else upper(substr({{ tier_expression }}, 1, 1)) || substr({{ tier_expression }}, 2)
    end)
{%- endmacro %}

{#- What the qualifying spend of a day is, from its spend_basis (RULES.md section 3). -#}
{% macro spend_basis_label(spend_basis_expression) -%}
    (case ({{ spend_basis_expression }})
        when 'historical_any_creative'
            then 'Rolling 30-day spend on any creative (historical spend counts while new to TikTok One)'
        else 'Rolling 30-day TikTok One spend'
    end)
{%- endmacro %}
