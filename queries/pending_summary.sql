-- The pending caseload on $as_of by complexity x priority: cases, value (yuan), overdue
-- (past the 6-month statutory deadline) and due within 30 days.
SELECT complexity, priority,
       count(*) AS cases,
       CAST(sum(amount_applied) AS DOUBLE) AS value_yuan,
       count(*) FILTER (WHERE days_to_deadline < 0) AS overdue,
       count(*) FILTER (WHERE days_to_deadline BETWEEN 0 AND 30) AS due_30_days
FROM pending_at($scope, $as_of)
GROUP BY ALL
ORDER BY complexity, priority;
