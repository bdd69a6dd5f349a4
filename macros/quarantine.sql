{#-
    The staging base models keep every raw row and name, in `quarantine_reason`, the first
    check it fails (null when usable): the first row-level check (`row_reason`, null when it
    passes them all), else whether its primary key is duplicated. Duplicates are
    decided among the rows that pass the row-level checks only, as ad_spend restatements
    are: a copy that fails its own checks (say, a null FX rate) is quarantined for that
    reason and does not make a valid copy a conflicting duplicate.
-#}
{% macro quarantine_reason(row_reason, key_columns, row_columns) -%}
    coalesce(
        {{ row_reason }},
        {{ duplicate_key_reason(key_columns, row_columns, among=row_reason ~ ' is null') }}
    )
{%- endmacro %}

{#-
    Duplicate primary keys: copies identical to the letter keep their first copy and
    quarantine the rest (`duplicate_row`); copies that disagree cannot be told apart, so
    every one is quarantined (`conflicting_duplicate_key`). `among`, when given, is a
    condition that splits the rows into groups compared separately (quarantine_reason passes
    "passes the row-level checks", so failed rows are never compared with usable ones).
-#}
{% macro duplicate_key_reason(key_columns, row_columns, among=none) -%}
    {%- set partition = 'partition by ' ~ (key_columns | join(', ')) ~ ((', (' ~ among ~ ')') if among else '') -%}
    case
        when count(*) over ({{ partition }}) = 1 then null
        when min({{ row_fingerprint(row_columns) }}) over ({{ partition }})
            = max({{ row_fingerprint(row_columns) }}) over ({{ partition }})
            then case
                when row_number() over ({{ partition }} order by source_file, file_row_number) > 1
                    then 'duplicate_row'
            end
        else 'conflicting_duplicate_key'
    end
{%- endmacro %}

{#- Any of the columns null. -#}
{% macro any_null(columns) -%}
    ({% for column in columns %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %})
{%- endmacro %}

{#-
    Numbers that do not fit their contract type (an int64 above 2^31 for an integer, a
    decimal beyond 18 digits) are quarantined, not a crashed build: `checked_cast` yields null
    for them, and `out_of_range_columns` names which columns overflowed ('' when none).
    `columns` maps column name to contract type.
-#}
{% macro checked_cast(column, data_type) -%}
    try_cast({{ column }} as {{ data_type }})
{%- endmacro %}

{% macro out_of_range_columns(columns) -%}
    concat_ws(', ',
        {%- for column, data_type in columns.items() %}
        case when {{ column }} is not null and try_cast({{ column }} as {{ data_type }}) is null
            then '{{ column }}' end{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
