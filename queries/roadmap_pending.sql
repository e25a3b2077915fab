-- The scope's pending cases on $as_of with what the roadmap ranks them by: property found,
-- complexity, priority, value, days pending and the timetable's target close date.
SELECT case_number, case_type, has_property, complexity, priority,
       CAST(amount_applied AS DOUBLE) AS amount_yuan, days_pending, target_close_on,
       respondent_name, judge
FROM pending_at($scope, $as_of);
