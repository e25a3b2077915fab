-- The cases the "3+1" core indices count, one row each, with what each index asks of it (the
-- case_core_status macro, the one definition that court_counts.sql counts too): every
-- case of $scope with a part in one of the four indices or in the actually-concluded
-- count of the period. Read once per data version and as-of date;
-- supervision/engine/memory_core_counts.py then filters these rows by the sidebar's value range,
-- priority, complexity and case type and counts them per court on every filter change,
-- so those four filters are NULL in $scope (the caller's unsliced Filters).
--
--   court_index      the court's 0-based position in $court_codes
--   applied_fen      amount_applied in fen, a whole number (as a DOUBLE, exact); the value
--                    filter compares applied_fen / 100, which is amount_applied as a DOUBLE
--   priority_index, complexity_index, case_type_index: 0-based positions in $priorities,
--                    $complexities and $case_types
--   core_flags       one bit per count the case is in (supervision.engine.memory_core_counts.CORE_FLAGS):
--                    1 actually concluded in the period, 2 property due, 4 property due and
--                    concluded in the limit, 8 终本 in the period, 16 终本 meeting the
--                    conditions, 32 in the three years, 64 in the three years and
--                    concluded by $as_of
--   petitions, petitions_resolved: its petitions received in the period, resolved by $as_of
--
-- Sorted by priority × complexity × case type, then amount: the rows a filter keeps are
-- then one slice per combination it keeps (supervision/engine/memory_counts.py).
SELECT CAST(c.court_index AS SMALLINT)                                      AS court_index,
       CAST(CAST(s.amount_applied * 100 AS BIGINT) AS DOUBLE)               AS applied_fen,
       CAST(list_position($priorities, s.priority) - 1 AS TINYINT)          AS priority_index,
       CAST(list_position($complexities, s.complexity) - 1 AS TINYINT)      AS complexity_index,
       CAST(list_position($case_types, s.case_type) - 1 AS TINYINT)         AS case_type_index,
       -- count_if counts a NULL as false: so do the bits
       CAST(coalesce(s.actually_concluded_in_p, false)::INTEGER
            + 2 * coalesce(s.property_due, false)::INTEGER
            + 4 * coalesce(s.property_in_limit, false)::INTEGER
            + 8 * coalesce(s.terminated_current_in_p, false)::INTEGER
            + 16 * coalesce(s.conditions_met, false)::INTEGER
            + 32 * coalesce(s.in_three_years, false)::INTEGER
            + 64 * coalesce(s.three_year_concluded, false)::INTEGER
            AS UTINYINT)                                                    AS core_flags,
       CAST(s.case_petitions AS INTEGER)                                    AS petitions,
       CAST(s.case_petitions_resolved AS INTEGER)                           AS petitions_resolved
FROM case_core_status($scope, $as_of, $period_start) s
JOIN (SELECT unnest($court_codes) AS court_code,
             generate_subscripts($court_codes, 1) - 1 AS court_index) c
  ON c.court_code = s.court_code
WHERE s.actually_concluded_in_p OR s.property_due OR s.terminated_current_in_p
   OR s.in_three_years OR s.case_petitions > 0
ORDER BY priority_index, complexity_index, case_type_index, applied_fen;
