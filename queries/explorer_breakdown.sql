-- The explorer's cases by case type and status on $as_of (for the drill-down chart); the
-- status is the one definition in the cases_at macro, so a bar and its drill-down agree.
-- With $index: only the cases holding that index down (macros.sql explorer_cases).
SELECT case_type, status_at_d AS status, count(*) AS cases
FROM explorer_cases($scope, $as_of, $period_start, $index, $rank_metric)
GROUP BY ALL
ORDER BY case_type, status;
