-- Migration 1: the case database as it was on 2026-11-27, before migrations existed (a
-- database built then is at version 1). Never edited: later changes are new migrations
-- (supervision/data/migrations/__init__.py). Documented in docs/data-format.md.

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
