-- Workload by judge: pending cases, their value and how many are overdue (the $limit
-- busiest judges).
SELECT coalesce(judge, '—') AS judge, court_code,
       count(*) AS cases,
       CAST(sum(amount_applied) AS DOUBLE) AS value_yuan,
       count(*) FILTER (WHERE days_to_deadline < 0) AS overdue
FROM pending_at($scope, $as_of)
GROUP BY ALL
ORDER BY cases DESC, judge
LIMIT $limit;
