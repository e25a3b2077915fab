-- Pending cases of the scope on $as_of that meet any of the joint-action criteria, each
-- with the criteria it meets: pending over $min_days days; value at least $min_value yuan;
-- property found yet past the statutory deadline and not concluded; $min_petitions or
-- more petitions received. Most criteria first, then the largest value. At most $limit.
WITH petitions_per_case AS (
    SELECT case_number, count(*) AS petitions
    FROM petitions
    WHERE received_on <= $as_of
    GROUP BY case_number
),
flagged AS (
    SELECT
        p.case_number, p.court_code, p.case_type, p.filed_on,
        CAST(p.amount_applied AS DOUBLE) AS amount_yuan,
        p.days_pending, p.has_property, p.respondent_name, p.judge,
        coalesce(q.petitions, 0) AS petitions,
        list_filter([
            CASE WHEN p.days_pending > $min_days THEN 'pending_long' END,
            CASE WHEN p.amount_applied >= $min_value THEN 'large_value' END,
            CASE WHEN p.has_property AND p.days_to_deadline < 0 THEN 'property_unrealised' END,
            CASE WHEN coalesce(q.petitions, 0) >= $min_petitions THEN 'many_petitions' END
        ], lambda code: code IS NOT NULL) AS reasons
    FROM pending_at($scope, $as_of) p
    LEFT JOIN petitions_per_case q ON q.case_number = p.case_number
)
SELECT *
FROM flagged
WHERE len(reasons) > 0
ORDER BY len(reasons) DESC, amount_yuan DESC, case_number
LIMIT $limit;
