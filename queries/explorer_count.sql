-- How many cases (that exist on $as_of) match the explorer's filters, their value, and
-- how many of them were transferred by then (listed here, left out of every rate).
SELECT count(*) AS cases, CAST(coalesce(sum(amount_applied), 0) AS DOUBLE) AS value_yuan,
       count(*) FILTER (WHERE NOT in_counts_at_d) AS transferred
FROM cases_at($scope, $as_of);
