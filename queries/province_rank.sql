-- Province-level ranking: all courts of a province pooled, ranked on the overall target's
-- metric among provinces (rank = 1 + provinces with a strictly higher rate).
WITH per_province AS (
    SELECT
        province,
        count(*) FILTER (WHERE handled_in_p)            AS handled,
        count(*) FILTER (WHERE concluded_in_p)          AS concluded,
        count(*) FILTER (WHERE fully_performed_in_p)    AS fully_performed,
        count(*) FILTER (WHERE actually_concluded_in_p) AS actually_concluded,
        CAST(sum(amount_applied) FILTER (WHERE concluded_in_p) AS DOUBLE)   AS amount_applied,
        CAST(sum(amount_recovered) FILTER (WHERE concluded_in_p) AS DOUBLE) AS amount_recovered
    FROM case_status($scope, $as_of, $period_start)
    GROUP BY province
),
scored AS (
    SELECT
        p.province, p.name, p.name_en, p.sort_order, t.metric,
        coalesce(x.handled, 0) AS handled,
        coalesce(x.concluded, 0) AS concluded,
        coalesce(x.fully_performed, 0) AS fully_performed,
        coalesce(x.actually_concluded, 0) AS actually_concluded,
        x.fully_performed / nullif(x.concluded, 0) AS overall_rate,
        x.amount_recovered / nullif(x.amount_applied, 0) AS amount_recovery_rate,
        x.concluded / nullif(x.handled, 0) AS closure_rate,
        x.actually_concluded / nullif(x.handled, 0) AS actual_conclusion_rate
    FROM provinces p
    JOIN targets t ON t.target = 'overall'
    LEFT JOIN per_province x ON x.province = p.province
)
SELECT
    *,
    CASE metric WHEN 'amount_recovery_rate' THEN amount_recovery_rate ELSE overall_rate END AS rate,
    CASE WHEN (CASE metric WHEN 'amount_recovery_rate' THEN amount_recovery_rate
                           ELSE overall_rate END) IS NOT NULL
         THEN rank() OVER (ORDER BY CASE metric WHEN 'amount_recovery_rate'
                                    THEN amount_recovery_rate ELSE overall_rate END DESC NULLS LAST)
    END AS rank
FROM scored
ORDER BY rank NULLS LAST, sort_order;
