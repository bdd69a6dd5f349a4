{#- Every row (optionally: every row matching `where`) satisfies the SQL expression. -#}
{% test expression_is_true(model, expression, where=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% if where %}
    and ({{ where }})
{% endif %}
{% endtest %}
