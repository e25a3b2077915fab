-- How many cases (that exist on $as_of) match the explorer's filters, their value, and
-- how many of them were transferred by then (listed here, left out of every rate). With
-- $index (a drill-through): only the cases holding that index down over the period
-- [$period_start, $as_of] (macros.sql explorer_cases), and index_shortfall, what they leave
-- short: Σ (counted − met), the index's denominator − numerator (NULL without $index).
SELECT count(*) AS cases, CAST(coalesce(sum(amount_applied), 0) AS DOUBLE) AS value_yuan,
       count(*) FILTER (WHERE NOT in_counts_at_d) AS transferred,
       CAST(CASE WHEN $index IS NOT NULL THEN coalesce(sum(index_counted - index_met), 0) END
            AS DOUBLE) AS index_shortfall
FROM explorer_cases($scope, $as_of, $period_start, $index, $rank_metric);
