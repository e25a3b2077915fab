-- Pending cases on $as_of, largest value first, optionally narrowed to one cell of the
-- triage (complexity, priority), one timetable week or one judge. At most $limit rows.
SELECT case_number, court_code, case_type, priority, complexity,
       CAST(amount_applied AS DOUBLE) AS amount_yuan, filed_on, statutory_deadline,
       days_to_deadline, target_close_on, has_property, respondent_name, respondent_kind, judge
FROM pending_at($scope, $as_of)
WHERE ($complexity IS NULL OR complexity = $complexity)
  AND ($priority IS NULL OR priority = $priority)
  AND ($target_week IS NULL OR date_trunc('week', target_close_on)::DATE = $target_week)
  AND ($judge IS NULL OR coalesce(judge, '—') = $judge)
ORDER BY amount_applied DESC, case_number
LIMIT $limit;
