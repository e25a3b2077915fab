-- The cases every national ranking of the period counts, one row each: every case of $scope
-- concluded in [$period_start, $as_of] or pending at $as_of (the status as of a date is
-- the case_status macro's, the one definition). Read once per data version and as-of
-- date; supervision/engine/memory_counts.py then filters these rows by the sidebar's value range,
-- priority, complexity and case type and counts them per court × ranking × week on every
-- filter change, so those four filters are NULL in $scope (the caller's Filters.rank_scope).
--
--   court_index      the court's 0-based position in $court_codes (the ranking's courts)
--   bucket           0: a type outside $specific_types; k: its k-th type
--   week_no          concluded: the week back from $as_of (week 0 is the 7 days ending
--                    $as_of), at most $max_weeks - 1; pending: -1
--   fully_performed  fully performed in the period
--   applied_fen      amount_applied in fen, a whole number (as a DOUBLE, exact); the value
--                    filter compares applied_fen / 100, which is amount_applied as a DOUBLE
--   recovered_fen    amount_recovered in fen
--   priority_index, complexity_index, case_type_index: 0-based positions in $priorities,
--                    $complexities and $case_types (every code of their lookup tables)
--
-- Sorted by priority × complexity × case type, then amount: the rows a filter keeps are
-- then one slice per combination it keeps (supervision/engine/memory_counts.py).
SELECT CAST(c.court_index AS SMALLINT)                                      AS court_index,
       CAST(coalesce(list_position($specific_types, s.case_type), 0) AS TINYINT) AS bucket,
       CAST(CASE WHEN s.concluded_in_p
                 THEN least((CAST($as_of AS DATE) - s.closed_on) // 7, $max_weeks - 1)
                 ELSE -1 END AS TINYINT)                                    AS week_no,
       s.fully_performed_in_p                                               AS fully_performed,
       CAST(CAST(s.amount_applied * 100 AS BIGINT) AS DOUBLE)               AS applied_fen,
       CAST(CAST(s.amount_recovered * 100 AS BIGINT) AS DOUBLE)             AS recovered_fen,
       CAST(list_position($priorities, s.priority) - 1 AS TINYINT)          AS priority_index,
       CAST(list_position($complexities, s.complexity) - 1 AS TINYINT)      AS complexity_index,
       CAST(list_position($case_types, s.case_type) - 1 AS TINYINT)         AS case_type_index
FROM case_status($scope, $as_of, $period_start) s
JOIN (SELECT unnest($court_codes) AS court_code,
             generate_subscripts($court_codes, 1) - 1 AS court_index) c
  ON c.court_code = s.court_code
-- implied by the next line, and pushed down to the scan: older closed cases are skipped
WHERE (s.closed_on IS NULL OR s.closed_on >= CAST($period_start AS DATE))
  AND (s.concluded_in_p OR s.pending_at_d)
ORDER BY priority_index, complexity_index, case_type_index, applied_fen;
