-- The scope's cases closed in the $history_days days up to $as_of (transfers left out),
-- by whether property was found and complexity: how many closed and how many of those by
-- full performance. The roadmap's likelihood of full performance is estimated from these
-- (supervision/engine/roadmap.py).
SELECT has_property, complexity,
       count(*) AS closed,
       count(*) FILTER (WHERE fully_performed_by_d) AS fully_performed
FROM case_status($scope, $as_of, CAST($as_of AS DATE) - $history_days)
WHERE concluded_in_p
GROUP BY has_property, complexity;
