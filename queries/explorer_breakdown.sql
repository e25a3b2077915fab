-- The explorer's cases by case type and status on $as_of (for the drill-down chart).
SELECT case_type,
       CASE WHEN closed_on <= $as_of THEN closing_method ELSE 'pending' END AS status,
       count(*) AS cases
FROM cases_in_scope($scope)
WHERE filed_on <= $as_of
GROUP BY ALL
ORDER BY case_type, status;
