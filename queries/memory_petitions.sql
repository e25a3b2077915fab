-- Every petition of a case of $scope, one row each, with what any as-of date asks of it
-- and of its case (as queries/memory_cases.sql: the same columns, the same $scope and
-- $status_date): supervision/engine/memory_counts.py counts, for a date, the petitions
-- received in the period and those resolved by the date, of the cases counted then (the
-- case_core_status macro's petitions, vectorised). Petitions are few: a filter selects them
-- by mask, not by slice.
--
--   received_day, resolved_day: days since $epoch (32767: not resolved)
SELECT CAST(c.court_index AS SMALLINT)                                      AS court_index,
       CAST(list_position($priorities, s.priority) - 1 AS TINYINT)          AS priority_index,
       CAST(list_position($complexities, s.complexity) - 1 AS TINYINT)      AS complexity_index,
       CAST(list_position($case_types, s.case_type) - 1 AS TINYINT)         AS case_type_index,
       CAST(CAST(s.amount_applied * 100 AS BIGINT) AS DOUBLE)               AS applied_fen,
       CAST(s.filed_on - CAST($epoch AS DATE) AS SMALLINT)                  AS filed_day,
       CAST(coalesce(s.closed_on - CAST($epoch AS DATE), 32767) AS SMALLINT) AS closed_day,
       CAST((NOT coalesce(m.in_counts, true))::INTEGER AS UTINYINT)         AS traits,
       CAST(p.received_on - CAST($epoch AS DATE) AS SMALLINT)               AS received_day,
       CAST(coalesce(p.resolved_on - CAST($epoch AS DATE), 32767) AS SMALLINT)
                                                                            AS resolved_day
FROM petitions p
JOIN cases_at($scope, $status_date) s ON s.case_number = p.case_number
LEFT JOIN closing_methods m ON m.code = s.closing_method
JOIN (SELECT unnest($court_codes) AS court_code,
             generate_subscripts($court_codes, 1) - 1 AS court_index) c
  ON c.court_code = s.court_code;
