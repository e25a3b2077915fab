-- Every province-level court system in its display order, with the metric its pooled
-- rate is ranked on (the overall target's).
SELECT p.province, p.name, p.name_en, p.sort_order, t.metric
FROM provinces p
JOIN targets t ON t.target = 'overall'
ORDER BY p.sort_order;
