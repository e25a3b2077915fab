-- The 3+1 core-index thresholds (editable data).
SELECT index_code, threshold FROM core_thresholds ORDER BY index_code;
