-- The case database, written once. Applied by supervision.db.ensure_schema on every
-- read-write open, so it only ever creates what is missing (IF NOT EXISTS) and
-- refreshes the macros (CREATE OR REPLACE). Documented in docs/data-format.md.

-- Province-level court systems (31 provinces + the Production and Construction Corps).
CREATE TABLE IF NOT EXISTS provinces (
    province   VARCHAR PRIMARY KEY,        -- short name: 琼, 京, 兵团 ...
    name       VARCHAR NOT NULL,           -- 海南省
    name_en    VARCHAR NOT NULL,           -- Hainan
    sort_order INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS courts (
    court_code VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    name_en    VARCHAR,
    province   VARCHAR NOT NULL,
    level      VARCHAR NOT NULL CHECK (level IN ('high', 'intermediate', 'basic', 'specialized')),
    kind       VARCHAR NOT NULL DEFAULT 'general'
);

CREATE TABLE IF NOT EXISTS case_types (
    code     VARCHAR PRIMARY KEY,
    name     VARCHAR NOT NULL,
    name_en  VARCHAR,
    specific BOOLEAN NOT NULL DEFAULT false   -- one of the five nationally ranked types
);

CREATE TABLE IF NOT EXISTS cases (
    case_number      VARCHAR PRIMARY KEY,
    court_code       VARCHAR NOT NULL,
    case_kind        VARCHAR NOT NULL CHECK (case_kind IN ('first', 'resumed')),
    case_type        VARCHAR NOT NULL,
    filed_on         DATE NOT NULL,
    closed_on        DATE CHECK (closed_on IS NULL OR closed_on >= filed_on),
    closing_method   VARCHAR CHECK (closing_method IS NULL OR closing_method IN (
        'fully_performed', 'terminated', 'not_enforced', 'rejected', 'withdrawn',
        'terminated_current', 'transferred')),
    amount_applied   DECIMAL(18, 2) NOT NULL CHECK (amount_applied >= 0),
    amount_recovered DECIMAL(18, 2) NOT NULL DEFAULT 0 CHECK (amount_recovered >= 0),
    has_property     BOOLEAN NOT NULL,
    priority         VARCHAR NOT NULL DEFAULT 'normal' CHECK (priority IN ('high', 'normal', 'low')),
    complexity       VARCHAR NOT NULL DEFAULT 'ordinary' CHECK (complexity IN ('simple', 'ordinary', 'complex')),
    respondent_id    VARCHAR NOT NULL,
    respondent_name  VARCHAR NOT NULL,
    respondent_kind  VARCHAR NOT NULL CHECK (respondent_kind IN ('person', 'enterprise', 'government')),
    judge            VARCHAR,
    settlement_on    DATE,
    settlement_due_on DATE,
    -- 终本 closing conditions: true = satisfied (done, or not required); NULL = not satisfied
    notice_served           BOOLEAN,
    consumption_restricted  BOOLEAN,
    dishonest_listed        BOOLEAN,
    network_inquiry_done    BOOLEAN,
    site_investigation_done BOOLEAN,
    applicant_informed      BOOLEAN,
    CHECK ((closed_on IS NULL) = (closing_method IS NULL))
);

CREATE TABLE IF NOT EXISTS petitions (
    petition_id VARCHAR PRIMARY KEY,
    case_number VARCHAR NOT NULL,
    received_on DATE NOT NULL,
    resolved_on DATE CHECK (resolved_on IS NULL OR resolved_on >= received_on)
);

-- National-rank targets. Which rate is ranked is data: 'overall_rate' (default) or
-- 'amount_recovery_rate'. 'overall' ranks all cases; 'specific_type' each of the five types.
CREATE TABLE IF NOT EXISTS targets (
    target        VARCHAR PRIMARY KEY CHECK (target IN ('overall', 'specific_type')),
    metric        VARCHAR NOT NULL CHECK (metric IN ('overall_rate', 'amount_recovery_rate')),
    target_rank   INTEGER NOT NULL CHECK (target_rank >= 1),
    min_concluded INTEGER NOT NULL CHECK (min_concluded >= 1)
);

-- "3+1" core index thresholds (editable). 'courts_meeting_standard' is the share of a
-- province's courts that must meet all four.
CREATE TABLE IF NOT EXISTS core_thresholds (
    index_code VARCHAR PRIMARY KEY,
    threshold  DOUBLE NOT NULL CHECK (threshold BETWEEN 0 AND 1)
);

-- Subject-matter value bands in yuan, [min_yuan, max_yuan); NULL max = no upper bound.
CREATE TABLE IF NOT EXISTS value_bands (
    band       VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    name_en    VARCHAR NOT NULL,
    min_yuan   DECIMAL(18, 2) NOT NULL,
    max_yuan   DECIMAL(18, 2),
    sort_order INTEGER NOT NULL
);

-- Dashboard users (streamlit-authenticator). Passwords as bcrypt hashes only.
CREATE TABLE IF NOT EXISTS users (
    username      VARCHAR PRIMARY KEY,
    display_name  VARCHAR NOT NULL,
    email         VARCHAR NOT NULL,
    role          VARCHAR NOT NULL CHECK (role IN ('supervisor', 'president', 'analyst', 'admin')),
    court_code    VARCHAR,              -- the president's own court; the province for others is data-wide
    password_hash VARCHAR NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT false,
    CHECK (role <> 'president' OR court_code IS NOT NULL)
);

-- The case subset every metric is computed over. `f` is one STRUCT of filters; a NULL
-- field means "no restriction", a list field is "one of". Value bands are [min, max).
CREATE OR REPLACE MACRO cases_in_scope(f) AS TABLE
SELECT c.*, ct.province, t.specific AS type_is_specific
FROM cases c
JOIN courts ct ON ct.court_code = c.court_code
JOIN case_types t ON t.code = c.case_type
WHERE (f['courts'] IS NULL OR list_contains(f['courts'], c.court_code))
  AND (f['provinces'] IS NULL OR list_contains(f['provinces'], ct.province))
  AND (f['case_types'] IS NULL OR list_contains(f['case_types'], c.case_type))
  AND (f['value_min'] IS NULL OR c.amount_applied >= f['value_min'])
  AND (f['value_max'] IS NULL OR c.amount_applied < f['value_max'])
  AND (f['priorities'] IS NULL OR list_contains(f['priorities'], c.priority))
  AND (f['complexities'] IS NULL OR list_contains(f['complexities'], c.complexity))
  AND (f['closing_methods'] IS NULL
       OR list_contains(f['closing_methods'], coalesce(c.closing_method, 'pending')))
  AND (f['respondent_kinds'] IS NULL OR list_contains(f['respondent_kinds'], c.respondent_kind))
  AND (f['filed_from'] IS NULL OR c.filed_on >= f['filed_from'])
  AND (f['filed_to'] IS NULL OR c.filed_on <= f['filed_to'])
  AND (f['closed_from'] IS NULL OR c.closed_on >= f['closed_from'])
  AND (f['closed_to'] IS NULL OR c.closed_on <= f['closed_to'])
  AND (f['text'] IS NULL
       OR contains(lower(c.case_number), lower(f['text']))
       OR contains(lower(c.respondent_name), lower(f['text']))
       OR contains(lower(c.respondent_id), lower(f['text'])));

-- Each case in scope as it stood on `as_of`, for the period [period_start, as_of].
-- A case filed after as_of does not exist yet; one closed after as_of is pending at as_of;
-- a case transferred on or before as_of is left out of every count.
CREATE OR REPLACE MACRO case_status(f, as_of, period_start) AS TABLE
SELECT
    s.*,
    CASE WHEN s.closed_on <= as_of THEN s.closing_method END AS method_at_d,
    (s.closed_on IS NULL OR s.closed_on >= period_start) AS handled_in_p,
    (s.filed_on >= period_start) AS filed_in_p,
    coalesce(s.closed_on BETWEEN period_start AND as_of, false) AS concluded_in_p,
    (s.closed_on IS NULL OR s.closed_on > as_of) AS pending_at_d,
    coalesce(s.closed_on BETWEEN period_start AND as_of
             AND s.closing_method = 'fully_performed', false) AS fully_performed_in_p,
    coalesce(s.closed_on BETWEEN period_start AND as_of AND s.closing_method IN
             ('fully_performed', 'terminated', 'not_enforced', 'rejected', 'withdrawn'), false)
        AS actually_concluded_in_p,
    coalesce(s.closed_on BETWEEN period_start AND as_of
             AND s.closing_method = 'terminated_current', false) AS terminated_current_in_p,
    -- statutory limit: filing date + 6 calendar months, the day clamped to the month's end
    CAST(s.filed_on + INTERVAL 6 MONTH AS DATE) AS statutory_deadline
FROM cases_in_scope(f) s
WHERE s.filed_on <= as_of
  AND NOT coalesce(s.closing_method = 'transferred' AND s.closed_on <= as_of, false);

-- Courts whose rows a caller may receive: `visible` is a list of court codes, NULL = all.
CREATE OR REPLACE MACRO visible_courts(visible) AS TABLE
SELECT * FROM courts
WHERE visible IS NULL OR list_contains(visible, court_code);

-- Cases pending on `as_of`, with the statutory deadline countdown and a target close date
-- for the timetable: the planned working time by priority and complexity, never later
-- than the statutory deadline; an overdue case is planned within two weeks.
CREATE OR REPLACE MACRO pending_at(f, as_of) AS TABLE
SELECT
    s.*,
    CAST(s.statutory_deadline - as_of AS BIGINT) AS days_to_deadline,
    CAST(as_of - s.filed_on AS BIGINT) AS days_pending,
    CASE
        WHEN s.statutory_deadline < as_of THEN CAST(as_of + INTERVAL 14 DAY AS DATE)
        ELSE least(s.statutory_deadline, CAST(as_of + to_days(
            CAST(CASE s.priority WHEN 'high' THEN 20 WHEN 'normal' THEN 45 ELSE 75 END
               + CASE s.complexity WHEN 'simple' THEN 0 WHEN 'ordinary' THEN 20 ELSE 50 END
               AS INTEGER)) AS DATE))
    END AS target_close_on
FROM case_status(f, as_of, as_of) s
WHERE s.pending_at_d;
