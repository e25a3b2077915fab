-- The cutoff of each ranking (overall and the five specific types): a national fact that
-- names no court. Definition: the court_ranking macro in macros.sql.
SELECT DISTINCT ranking, metric, target_rank, min_concluded, ranked_courts, cutoff
FROM court_ranking($scope, $as_of, $period_start)
ORDER BY ranking;
