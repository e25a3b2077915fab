-- The explorer's cases by case type and status on $as_of (for the drill-down chart); the
-- status is the one definition in the cases_at macro, so a bar and its drill-down agree.
SELECT case_type, status_at_d AS status, count(*) AS cases
FROM cases_at($scope, $as_of)
GROUP BY ALL
ORDER BY case_type, status;
