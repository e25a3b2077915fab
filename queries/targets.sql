-- The national-rank targets: which metric is ranked, the target rank and the minimum
-- number of concluded cases for a court to be ranked.
SELECT target, metric, target_rank, min_concluded FROM targets ORDER BY target;
