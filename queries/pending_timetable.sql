-- The timetable: pending cases by the week of their target close date and priority.
SELECT date_trunc('week', target_close_on)::DATE AS target_week, priority,
       count(*) AS cases,
       CAST(sum(amount_applied) AS DOUBLE) AS value_yuan
FROM pending_at($scope, $as_of)
GROUP BY ALL
ORDER BY target_week, priority;
