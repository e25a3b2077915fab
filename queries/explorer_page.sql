-- One page of the explorer's cases (newest filing first): only the rows shown are fetched.
-- The status is as of $as_of (a case closed later is shown as pending). With $index: only
-- the cases holding that index down (macros.sql explorer_cases).
SELECT case_number, court_code, case_kind, case_type, filed_on,
       CASE WHEN method_at_d IS NOT NULL THEN closed_on END AS closed_on,
       status_at_d AS status,
       CAST(amount_applied AS DOUBLE) AS amount_yuan,
       CAST(amount_recovered AS DOUBLE) AS recovered_yuan,
       has_property, priority, complexity, respondent_name, respondent_kind, judge
FROM explorer_cases($scope, $as_of, $period_start, $index, $rank_metric)
ORDER BY filed_on DESC, case_number
LIMIT $limit OFFSET $offset;
