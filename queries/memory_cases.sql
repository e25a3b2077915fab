-- Every case of $scope with what any as-of date asks of it, one row each: read once per
-- data version (not per date) and held in memory by supervision/engine/memory_counts.py,
-- which derives from these columns, for any as-of date and period, every case's status
-- (concluded in the period, pending, left out), its week and its part in each 3+1 index:
-- the case_status and case_core_status macros' definitions, vectorised; tests hold the
-- two to the same counts (tests/test_rank_aggregate.py). The sidebar's value range,
-- priority, complexity and case type are applied in memory too, so they are NULL in
-- $scope. $status_date: a date past every case, unless $scope filters by the closing
-- method, a status as of a date (then the as-of date, and the rows are that date's).
--
--   court_index      the court's 0-based position in $court_codes
--   priority_index, complexity_index, case_type_index: 0-based positions in $priorities,
--                    $complexities and $case_types
--   applied_fen, recovered_fen: the amounts in fen, whole numbers (as DOUBLEs, exact); the
--                    value filter compares applied_fen / 100, amount_applied as a DOUBLE
--   filed_day, closed_day: days since $epoch of filed_on and closed_on (32767: not closed);
--                    the statutory deadline (filed_on + 6 months) is the filing day's
--   traits           bits: 1 closed by a method left out of counts (transferred), 2 one
--                    that fully performs, 4 one that actually concludes, 8 one that ends
--                    the current procedure (终本), 16 a first-enforcement case with
--                    property, 32 a 终本 closing meeting every condition (termination_missing
--                    empty: the conditions and the 3 months are the case's, not a date's),
--                    64 closed on or before the statutory deadline
--
-- Sorted by priority × complexity × case type, then amount: the rows a filter keeps are
-- then one slice per combination it keeps.
SELECT CAST(c.court_index AS SMALLINT)                                      AS court_index,
       CAST(list_position($priorities, s.priority) - 1 AS TINYINT)          AS priority_index,
       CAST(list_position($complexities, s.complexity) - 1 AS TINYINT)      AS complexity_index,
       CAST(list_position($case_types, s.case_type) - 1 AS TINYINT)         AS case_type_index,
       CAST(CAST(s.amount_applied * 100 AS BIGINT) AS DOUBLE)               AS applied_fen,
       CAST(CAST(s.amount_recovered * 100 AS BIGINT) AS DOUBLE)             AS recovered_fen,
       CAST(s.filed_on - CAST($epoch AS DATE) AS SMALLINT)                  AS filed_day,
       CAST(coalesce(s.closed_on - CAST($epoch AS DATE), 32767) AS SMALLINT) AS closed_day,
       CAST((NOT coalesce(m.in_counts, true))::INTEGER
            + 2 * coalesce(m.fully_performed, false)::INTEGER
            + 4 * coalesce(m.actually_concluded, false)::INTEGER
            + 8 * coalesce(m.terminates_current, false)::INTEGER
            + 16 * (s.case_kind = 'first' AND s.has_property)::INTEGER
            -- date arithmetic only for the few 终本 closings (CASE evaluates lazily)
            + 32 * (CASE WHEN coalesce(m.terminates_current, false) THEN
                        len(termination_missing(s.notice_served, s.consumption_restricted,
                                                s.dishonest_listed, s.network_inquiry_done,
                                                s.site_investigation_done,
                                                s.applicant_informed, s.filed_on,
                                                s.closed_on)) = 0
                    ELSE false END)::INTEGER
            + 64 * coalesce(s.closed_on <= CAST(s.filed_on + INTERVAL 6 MONTH AS DATE),
                            false)::INTEGER
            AS UTINYINT)                                                    AS traits
FROM cases_at($scope, $status_date) s
LEFT JOIN closing_methods m ON m.code = s.closing_method
JOIN (SELECT unnest($court_codes) AS court_code,
             generate_subscripts($court_codes, 1) - 1 AS court_index) c
  ON c.court_code = s.court_code
ORDER BY priority_index, complexity_index, case_type_index, applied_fen;
