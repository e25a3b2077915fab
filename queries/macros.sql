-- Table macros shared by the queries in this folder: the case subset, each case's
-- status as of a date and the pending caseload (ranks: supervision/engine/ranking.py). Applied on every
-- read-write open of the database (supervision.data.db.ensure_schema). Allowed values are the
-- lookup tables supervision.domain.vocabulary fills (closing_methods, priorities, …): joined, never
-- listed here.

-- The case subset every metric is computed over. `f` is one STRUCT of filters; a NULL
-- field means "no restriction", a list field is "one of". Value bands are [min, max).
CREATE OR REPLACE MACRO cases_in_scope(f) AS TABLE
SELECT c.*, ct.province
FROM cases c
JOIN courts ct ON ct.court_code = c.court_code
JOIN case_types t ON t.code = c.case_type
WHERE (f['courts'] IS NULL OR list_contains(f['courts'], c.court_code))
  AND (f['case_types'] IS NULL OR list_contains(f['case_types'], c.case_type))
  AND (f['value_min'] IS NULL OR c.amount_applied >= f['value_min'])
  AND (f['value_max'] IS NULL OR c.amount_applied < f['value_max'])
  AND (f['priorities'] IS NULL OR list_contains(f['priorities'], c.priority))
  AND (f['complexities'] IS NULL OR list_contains(f['complexities'], c.complexity))
  AND (f['respondent_kinds'] IS NULL OR list_contains(f['respondent_kinds'], c.respondent_kind))
  AND (f['filed_from'] IS NULL OR c.filed_on >= f['filed_from'])
  AND (f['filed_to'] IS NULL OR c.filed_on <= f['filed_to'])
  AND (f['closed_from'] IS NULL OR c.closed_on >= f['closed_from'])
  AND (f['closed_to'] IS NULL OR c.closed_on <= f['closed_to'])
  AND (f['text'] IS NULL
       OR contains(lower(c.case_number), lower(f['text']))
       OR contains(lower(c.respondent_name), lower(f['text']))
       -- an ID number only whole: a part of one would let a search read masked numbers back
       OR lower(c.respondent_id) = lower(f['text']));

-- Each case in scope that exists on `as_of`, with its status on that date: its closing
-- method if it was closed by then, else 'pending' (supervision.domain.vocabulary.PENDING). This is the
-- one definition of "status as of D": the explorer's filter, chart and table and every
-- metric read it. The closing-method filter applies to this status.
CREATE OR REPLACE MACRO cases_at(f, as_of) AS TABLE
SELECT
    s.*,
    m.code AS method_at_d,
    coalesce(m.code, 'pending') AS status_at_d,
    coalesce(m.in_counts, true) AS in_counts_at_d,
    coalesce(m.fully_performed, false) AS fully_performed_by_d,
    coalesce(m.actually_concluded, false) AS actually_concluded_by_d,
    coalesce(m.terminates_current, false) AS terminated_current_by_d
FROM cases_in_scope(f) s
LEFT JOIN closing_methods m ON m.code = s.closing_method AND s.closed_on <= as_of
WHERE s.filed_on <= as_of
  AND (f['closing_methods'] IS NULL
       OR list_contains(f['closing_methods'], coalesce(m.code, 'pending')));

-- Each case in scope as it stood on `as_of`, for the period [period_start, as_of].
-- A case filed after as_of does not exist yet; one closed after as_of is pending at as_of;
-- a case transferred on or before as_of (closing_methods.in_counts false) is left out of
-- every count.
CREATE OR REPLACE MACRO case_status(f, as_of, period_start) AS TABLE
SELECT
    s.*,
    (s.closed_on IS NULL OR s.closed_on >= period_start) AS handled_in_p,
    (s.filed_on >= period_start) AS filed_in_p,
    coalesce(s.closed_on BETWEEN period_start AND as_of, false) AS concluded_in_p,
    (s.method_at_d IS NULL) AS pending_at_d,
    coalesce(s.closed_on >= period_start AND s.fully_performed_by_d, false)
        AS fully_performed_in_p,
    coalesce(s.closed_on >= period_start AND s.actually_concluded_by_d, false)
        AS actually_concluded_in_p,
    coalesce(s.closed_on >= period_start AND s.terminated_current_by_d, false)
        AS terminated_current_in_p,
    -- statutory limit: filing date + 6 calendar months, the day clamped to the month's end
    CAST(s.filed_on + INTERVAL 6 MONTH AS DATE) AS statutory_deadline
FROM cases_at(f, as_of) s
WHERE s.in_counts_at_d;

-- Each case of case_status with what the "3+1" core indices ask of it, for the period
-- [period_start, as_of] (docs/metrics.md). The one definition: court_counts.sql counts
-- these per court, and supervision/engine/memory_core_counts.py counts the same rows held in memory.
--   property_due        first-enforcement case with property whose statutory deadline
--                       falls in the period (index 1's denominator)
--   concluded_in_limit  actually concluded (not 终本) on or before that deadline
--   conditions_met      a 终本 closing of the period that meets all six conditions and
--                       came at least 3 calendar months after filing (index 2)
--   case_petitions, case_petitions_resolved: its petitions received in the period, and
--                       those resolved by as_of (index 3)
--   in_three_years      filed from 1 January three years before as_of's year (index 4)
-- and each index's membership, the one predicate its numerator is counted with:
--   property_in_limit   property_due and concluded_in_limit (index 1's numerator)
--   three_year_concluded in_three_years and concluded (any method) by as_of (index 4's)
-- (index 2's numerator is conditions_met, which implies terminated_current_in_p.)
CREATE OR REPLACE MACRO case_core_status(f, as_of, period_start) AS TABLE
WITH petitions_in_p AS (
    -- petitions are few: count them per case first, then join them onto the one case scan
    SELECT case_number,
           count(*) AS petitions,
           count_if(resolved_on <= as_of) AS petitions_resolved
    FROM petitions
    WHERE received_on BETWEEN period_start AND as_of
    GROUP BY case_number
)
SELECT
    s.*,
    (s.case_kind = 'first' AND s.has_property
        AND s.statutory_deadline BETWEEN period_start AND as_of) AS property_due,
    (s.actually_concluded_by_d AND s.closed_on <= s.statutory_deadline) AS concluded_in_limit,
    -- date arithmetic only for the few 终本 closings (CASE evaluates lazily)
    CASE WHEN s.terminated_current_in_p THEN
        len(termination_missing(s.notice_served, s.consumption_restricted,
                                s.dishonest_listed, s.network_inquiry_done,
                                s.site_investigation_done, s.applicant_informed,
                                s.filed_on, s.closed_on)) = 0
    ELSE false END AS conditions_met,
    (s.filed_on >= make_date(year(CAST(as_of AS DATE)) - 3, 1, 1)) AS in_three_years,
    (property_due AND concluded_in_limit)            AS property_in_limit,
    (in_three_years AND s.method_at_d IS NOT NULL)   AS three_year_concluded,
    coalesce(p.petitions, 0)          AS case_petitions,
    coalesce(p.petitions_resolved, 0) AS case_petitions_resolved
FROM case_status(f, as_of, period_start) s
LEFT JOIN petitions_in_p p ON p.case_number = s.case_number;

-- Courts whose rows a caller may receive: `visible` is a list of court codes, NULL = all.
CREATE OR REPLACE MACRO visible_courts(visible) AS TABLE
SELECT * FROM courts
WHERE visible IS NULL OR list_contains(visible, court_code);

-- Cases pending on `as_of`, with the statutory deadline countdown and a target close date
-- for the timetable: the planned working days of its priority plus those of its
-- complexity (priorities.planned_days + complexities.planned_days), never later than the
-- statutory deadline; an overdue case is planned within two weeks (14 days).
CREATE OR REPLACE MACRO pending_at(f, as_of) AS TABLE
SELECT
    s.*,
    CAST(s.statutory_deadline - as_of AS BIGINT) AS days_to_deadline,
    CAST(as_of - s.filed_on AS BIGINT) AS days_pending,
    CASE
        WHEN s.statutory_deadline < as_of THEN CAST(as_of + INTERVAL 14 DAY AS DATE)
        ELSE least(s.statutory_deadline,
                   CAST(as_of + to_days(CAST(pr.planned_days + cx.planned_days AS INTEGER))
                        AS DATE))
    END AS target_close_on
FROM case_status(f, as_of, as_of) s
JOIN priorities pr ON pr.code = s.priority
JOIN complexities cx ON cx.code = s.complexity
WHERE s.pending_at_d;

-- The closing conditions of a qualified 终本 a case misses, as a list of codes (empty: a
-- qualified termination). The one definition: the 3+1 index 无财产案件终本合格率
-- (court_counts.sql) counts cases with an empty list; the 终本 audit names the codes. Each
-- condition column means "satisfied (done, or not required)"; NULL is not satisfied. The
-- last code: closed less than 3 calendar months after filing.
CREATE OR REPLACE MACRO termination_missing(notice_served, consumption_restricted,
                                            dishonest_listed, network_inquiry_done,
                                            site_investigation_done, applicant_informed,
                                            filed_on, closed_on) AS
list_filter([
    CASE WHEN NOT coalesce(notice_served, false) THEN 'notice_served' END,
    CASE WHEN NOT coalesce(consumption_restricted, false) THEN 'consumption_restricted' END,
    CASE WHEN NOT coalesce(dishonest_listed, false) THEN 'dishonest_listed' END,
    CASE WHEN NOT coalesce(network_inquiry_done, false) THEN 'network_inquiry_done' END,
    CASE WHEN NOT coalesce(site_investigation_done, false) THEN 'site_investigation_done' END,
    CASE WHEN NOT coalesce(applicant_informed, false) THEN 'applicant_informed' END,
    CASE WHEN closed_on < CAST(filed_on + INTERVAL 3 MONTH AS DATE)
         THEN 'closed_within_3_months' END
], lambda code: code IS NOT NULL);

-- Each case of the period with its part in one index (`index_code`), for a drill-through
-- to the cases that hold the index down: `index_counted` is what the case adds to the
-- index's denominator and `index_met` what it adds to its numerator, read from the very
-- columns court_counts.sql and court_rank_counts.sql count (memory_cases.sql's in memory)
-- (case_core_status, case_status): a case holds the index down when index_met <
-- index_counted. Index codes: the four 3+1 indices; rank_overall and rank_<case type>, the
-- national-rank rate (concluded in the period ÷ fully performed; a type ranking keeps its
-- type), where `rank_metric` 'amount_recovery_rate' counts yuan applied ÷ recovered instead.
--   property_within_limit  counted property_due, met property_in_limit
--   termination_qualified  counted terminated_current_in_p, met conditions_met
--   petitions_resolved     counted case_petitions, met case_petitions_resolved (petitions)
--   three_year_conclusion  counted in_three_years, met three_year_concluded
-- A code outside these counts no case.
CREATE OR REPLACE MACRO index_cases(f, as_of, period_start, index_code, rank_metric) AS TABLE
WITH parts AS (
    SELECT
        s.*,
        CASE
            WHEN index_code = 'property_within_limit' THEN coalesce(s.property_due, false)::INTEGER
            WHEN index_code = 'termination_qualified' THEN coalesce(s.terminated_current_in_p, false)::INTEGER
            WHEN index_code = 'petitions_resolved' THEN s.case_petitions
            WHEN index_code = 'three_year_conclusion' THEN coalesce(s.in_three_years, false)::INTEGER
            WHEN index_code = 'rank_overall' OR index_code = 'rank_' || s.case_type
                THEN CASE WHEN rank_metric = 'amount_recovery_rate'
                          THEN CASE WHEN s.concluded_in_p THEN s.amount_applied ELSE 0 END
                          ELSE coalesce(s.concluded_in_p, false)::INTEGER END
            ELSE 0
        END AS index_counted,
        CASE
            WHEN index_code = 'property_within_limit' THEN coalesce(s.property_in_limit, false)::INTEGER
            WHEN index_code = 'termination_qualified' THEN coalesce(s.conditions_met, false)::INTEGER
            WHEN index_code = 'petitions_resolved' THEN s.case_petitions_resolved
            WHEN index_code = 'three_year_conclusion' THEN coalesce(s.three_year_concluded, false)::INTEGER
            WHEN index_code = 'rank_overall' OR index_code = 'rank_' || s.case_type
                THEN CASE WHEN rank_metric = 'amount_recovery_rate'
                          THEN CASE WHEN s.concluded_in_p THEN s.amount_recovered ELSE 0 END
                          ELSE coalesce(s.fully_performed_in_p, false)::INTEGER END
            ELSE 0
        END AS index_met
    FROM case_core_status(f, as_of, period_start) s
)
SELECT * FROM parts WHERE index_counted > 0;

-- The explorer's cases: those of cases_at (index_code NULL), or (an index's drill-through)
-- only those holding that index down (index_cases: index_met < index_counted; their
-- columns hold cases_at's), with index_counted/index_met (NULL without an index).
CREATE OR REPLACE MACRO explorer_cases(f, as_of, period_start, index_code, rank_metric) AS TABLE
SELECT c.*, NULL::DOUBLE AS index_counted, NULL::DOUBLE AS index_met
FROM cases_at(f, as_of) c
WHERE index_code IS NULL
UNION ALL BY NAME
SELECT i.* REPLACE (i.index_counted::DOUBLE AS index_counted, i.index_met::DOUBLE AS index_met)
FROM index_cases(f, as_of, period_start, index_code, rank_metric) i
WHERE index_code IS NOT NULL AND i.index_met < i.index_counted;
