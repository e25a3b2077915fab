-- National rank, cutoff and gap of each visible court: the overall ranking and each of the
-- five specific types. Every court is ranked on the same national subset ($scope);
-- $visible (NULL = all) limits which courts' rows are returned. Definition: the
-- court_ranking macro in macros.sql; formulas in docs/metrics.md.
SELECT *
FROM court_ranking($scope, $as_of, $period_start)
WHERE $visible IS NULL OR list_contains($visible, court_code)
ORDER BY ranking, rank NULLS LAST, court_code;
