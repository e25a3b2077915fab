"""Seeded national demo data: every court system, four years of enforcement cases, petitions.

Vectorized with numpy and polars (no per-case Python loop). Courts are processed in
batches of about one million cases, so ten million cases fit in memory. The same seed,
case count and end date always give the same database.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from supervision.data.db import connect, new_version, record_load, transaction
from supervision.data.reference import CASE_TYPES, PROVINCES, install_reference, national_courts
from supervision.domain import id_numbers, vocabulary

DEFAULT_CASES = 600_000
# share of all cases spread evenly over the courts before the weighted rest (see generate)
FLOOR_SHARE = 0.5
# filing dates lean to recent years: day = span × u ** FILING_SKEW (u uniform)
FILING_SKEW = 0.6
BATCH_CASES = 1_000_000

TYPE_CODES = [c[0] for c in CASE_TYPES]
# Share of each case type among all filings (same order as CASE_TYPES).
TYPE_SHARES = np.array([0.18, 0.18, 0.17, 0.08, 0.14, 0.07, 0.07, 0.04, 0.03, 0.04])
# Type effect on the chance of full performance (government organs pay; crimes rarely).
TYPE_EFFECT = np.array([0.25, -0.10, 0.0, 1.4, 0.5, 0.0, -0.25, 0.1, -0.2, 0.0])

CONDITION_COLUMNS = ("notice_served", "consumption_restricted", "dishonest_listed",
                     "network_inquiry_done", "site_investigation_done", "applicant_informed")

LEVEL_WEIGHT = {"basic": 1.0, "intermediate": 1.0, "high": 0.04, "specialized": 0.3}
KIND_WEIGHT = {"financial": 6.0, "internet": 4.0, "maritime": 1.3, "ip": 0.6, "railway": 0.5}
BIG_PROVINCES = {"粤": 1.8, "苏": 1.7, "浙": 1.7, "鲁": 1.4, "沪": 2.0, "京": 2.0, "豫": 1.2, "川": 1.2}
# Hainan is the demo's focus: its courts are weighted up so most of them are ranked.
FOCUS_PROVINCE = ("琼", 3.0)
# Fixed strengths that make the demo's story: Haikou Maritime Court near the top-20 line.
FIXED_WEIGHT = {"HI720": 14.0, "HI000": 0.5}
FIXED_STRENGTH = {"HI720": 3.9, "HI000": 0.3, "HI100": 0.9, "HI200": 0.4, "HI300": -0.4,
                  "HI400": -0.9, "HI101": 1.2, "HI104": -1.4}

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦符")
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
         "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "海燕", "国强", "志明", "春梅",
         "晓东", "海波", "丽华", "小红", "德胜", "永福", "淑珍", "振华", "红梅", "金凤", "文斌"]
PLACES = ["海口", "三亚", "琼海", "华南", "东方", "新港", "恒信", "宏达", "鑫源", "盛世", "远航",
          "金桥", "汇通", "天成", "众联", "椰城", "南海", "瑞丰", "博雅", "嘉禾"]
INDUSTRIES = ["贸易", "建设工程", "房地产开发", "物流", "科技", "餐饮管理", "渔业", "船务",
              "农业开发", "商贸", "投资", "装饰工程", "旅游开发", "酒店管理", "医药"]
ORGANS = ["人民政府", "住房和城乡建设局", "交通运输局", "自然资源和规划局", "教育局",
          "卫生健康委员会", "农业农村局", "街道办事处", "镇人民政府", "水务局"]


# Respondents' ID numbers: real formats with valid check characters (supervision.security.personal),
# one number per (province, kind, respondent number), the same on every run. Region codes
# (GB/T 2260) of each province's capital, in reference.PROVINCES order (兵团: 石河子).
PROVINCE_REGIONS = (1101, 1201, 1301, 1401, 1501, 2101, 2201, 2301, 3101, 3201, 3301, 3401,
                    3501, 3601, 3701, 4101, 4201, 4301, 4401, 4501, 4601, 5001, 5101, 5201,
                    5301, 5401, 6101, 6201, 6301, 6401, 6501, 6590)
BIRTH_FIRST = np.datetime64("1950-01-01")
BIRTH_DAYS = 18_262                      # born 1950-01-01 … 1999-12-31
# (respondent number × BIRTH_SPREAD) mod (days × 999 sequences) spreads consecutive
# numbers over birth dates and sequences, one to one (coprime: 18,262 = 2·23·397, 999 = 3³·37)
# for respondent numbers below 18 million (a pool is about a tenth of a batch's cases)
BIRTH_SPREAD = 1_000_003
# unified social credit codes: registration authority and kind (GB 32100), and the first
# two characters of the organization code
CREDIT_PREFIX = {1: ("91", "MA"), 2: ("11", "00")}   # enterprise (工商, 企业); organ (机构编制, 机关)


def _code_strings(index: np.ndarray) -> pl.Series:
    """(n, 18) indices into id_numbers.CREDIT_CHARS (digits are themselves) -> n strings."""
    chars = np.frombuffer(id_numbers.CREDIT_CHARS.encode("ascii"), dtype=np.uint8)
    return pl.Series(chars[index].view("S18").ravel()).cast(pl.String)


def _resident_ids(prov: np.ndarray, r: np.ndarray) -> pl.Series:
    """18-character resident identity numbers: the province's capital's region code and a
    district (05–08), a birth date in 1950–1999, a sequence 001–999, the check character."""
    n = len(r)
    spread = (r.astype(np.int64) * BIRTH_SPREAD) % (BIRTH_DAYS * 999)
    born = BIRTH_FIRST + (spread % BIRTH_DAYS).astype("timedelta64[D]")
    year = born.astype("datetime64[Y]").astype(np.int64) + 1970
    month = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (born - born.astype("datetime64[M]")).astype(np.int64) + 1
    region = np.array((0, *PROVINCE_REGIONS), dtype=np.int64)[prov] * 100 + 5 + r % 4
    body = (region * 100_000_000 + year * 10_000 + month * 100 + day) * 1000 \
        + spread // BIRTH_DAYS + 1
    index = np.empty((n, 18), dtype=np.uint8)
    total = np.zeros(n, dtype=np.int64)
    for i, weight in enumerate(id_numbers.RESIDENT_WEIGHTS):
        index[:, i] = body // 10 ** (16 - i) % 10
        total += index[:, i].astype(np.int64) * weight
    check = np.array([id_numbers.CREDIT_CHARS.index(c) for c in id_numbers.RESIDENT_CHECK],
                     dtype=np.uint8)
    index[:, 17] = check[total % 11]
    return _code_strings(index)


def _credit_codes(kind: int, prov: np.ndarray, r: np.ndarray) -> pl.Series:
    """18-character unified social credit codes: authority and kind, the province's
    capital's region code, an organization code (two fixed characters, six drawn from the
    respondent number, its GB 11714 check) and the GB 32100 check character."""
    n = len(r)
    head, org_head = CREDIT_PREFIX[kind]
    chars = id_numbers.CREDIT_CHARS
    index = np.zeros((n, 18), dtype=np.uint8)
    index[:, 0], index[:, 1] = chars.index(head[0]), chars.index(head[1])
    region = np.array((0, *PROVINCE_REGIONS), dtype=np.int64)[prov] * 100
    for i in range(6):
        index[:, 2 + i] = region // 10 ** (5 - i) % 10
    index[:, 8], index[:, 9] = chars.index(org_head[0]), chars.index(org_head[1])
    for i in range(6):
        index[:, 10 + i] = r.astype(np.int64) // 31 ** (5 - i) % 31
    # GB 11714 values: digits as themselves, letters A = 10 … Z = 35
    org_value = np.array([int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in chars])
    org_total = sum(org_value[index[:, 8 + i]] * w for i, w in enumerate(id_numbers.ORG_WEIGHTS))
    org_check = np.array([chars.index(c) for c in "0X987654321"], dtype=np.uint8)
    index[:, 16] = org_check[org_total % 11]
    total = sum(index[:, i].astype(np.int64) * w for i, w in enumerate(id_numbers.CREDIT_WEIGHTS))
    index[:, 17] = (31 - total % 31) % 31
    return _code_strings(index)


def respondent_ids(kind: np.ndarray, prov: np.ndarray, r: np.ndarray) -> pl.Series:
    """Each case's respondent's ID number from its kind (0 person, 1 enterprise, 2 organ),
    province index and respondent number: a person a resident identity number, an
    enterprise or organ a unified social credit code."""
    out = np.empty(len(r), dtype=object)
    for k in (0, 1, 2):
        rows = np.flatnonzero(kind == k)
        if len(rows):
            codes = (_resident_ids(prov[rows], r[rows]) if k == 0
                     else _credit_codes(k, prov[rows], r[rows]))
            out[rows] = codes.to_numpy()
    return pl.Series("respondent_id", out, dtype=pl.String)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def court_profiles(seed: int) -> pl.DataFrame:
    """Courts with a caseload weight and a latent strength (how well they enforce)."""
    rng = np.random.default_rng([seed, 0])
    courts = national_courts()
    n = courts.height
    level_w = courts["level"].replace_strict(LEVEL_WEIGHT, return_dtype=pl.Float64).to_numpy()
    kind_w = courts["kind"].replace_strict(KIND_WEIGHT, default=1.0,
                                           return_dtype=pl.Float64).to_numpy()
    prov_w = courts["province"].replace_strict({**BIG_PROVINCES, FOCUS_PROVINCE[0]: FOCUS_PROVINCE[1]},
                                               default=1.0, return_dtype=pl.Float64).to_numpy()
    weight = level_w * kind_w * prov_w * rng.lognormal(0.0, 0.9, n)
    strength = rng.normal(0.0, 1.0, n)
    speed = rng.normal(0.0, 1.0, n)  # how fast a court closes, loosely tied to strength
    codes = courts["court_code"].to_list()
    for code, value in FIXED_STRENGTH.items():
        strength[codes.index(code)] = value
    for code, factor in FIXED_WEIGHT.items():
        weight[codes.index(code)] *= factor
    type_effect = rng.normal(0.0, 0.35, (n, len(TYPE_CODES)))
    # Haikou Maritime Court lags on livelihood and private-enterprise cases.
    i = codes.index("HI720")
    type_effect[i, TYPE_CODES.index("livelihood")] = -2.4
    type_effect[i, TYPE_CODES.index("private_sme")] = -1.3
    # each court's own mix of case types; intermediate courts see more government cases
    type_mix = TYPE_SHARES * rng.lognormal(0.0, 0.9, (n, len(TYPE_CODES)))
    type_mix[courts["level"].to_numpy() == "intermediate", TYPE_CODES.index("government")] *= 8.0
    type_mix[courts["kind"].to_numpy() == "financial", TYPE_CODES.index("financial_loan")] *= 12.0
    type_mix[courts["kind"].to_numpy() == "maritime", TYPE_CODES.index("sales_contract")] *= 3.0
    type_mix[i] = TYPE_SHARES * np.array([1.4, 1.3, 1.3, 1, 1, 0.6, 0.8, 0.8, 0.8, 0.8])
    province_index = {p[0]: i for i, p in enumerate(PROVINCES, start=1)}
    return courts.with_columns(
        pl.Series("weight", weight / weight.sum()),
        pl.Series("strength", strength),
        pl.Series("speed", 0.5 * strength + 0.8 * speed),
        pl.Series("type_effect", type_effect),
        pl.Series("type_mix", type_mix),
        pl.col("province").replace_strict(province_index, return_dtype=pl.Int32)
        .alias("province_index"),
    )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(probs.shape[0])[:, None]
    return (u > cum).sum(axis=1)


def generate_batch(rng: np.random.Generator, courts: pl.DataFrame, counts: np.ndarray,
                   start: dt.date, end: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cases and petitions for the courts in `courts`, `counts[i]` cases for court i. The
    petitions are not numbered yet (`_numbered` does, as they are stored)."""
    n = int(counts.sum())
    ci = np.repeat(np.arange(courts.height), counts)
    strength = courts["strength"].to_numpy()[ci]
    speed = courts["speed"].to_numpy()[ci]
    start_day = (start - dt.date(1970, 1, 1)).days
    end_day = (end - dt.date(1970, 1, 1)).days

    # filing dates: rising caseload, quieter around the Spring Festival
    span = end_day - start_day + 1
    filed = start_day + np.floor(span * rng.random(n) ** FILING_SKEW).astype(np.int64)
    doy = (filed.astype("datetime64[D]") - filed.astype("datetime64[Y]")).astype(np.int64)
    quiet = (doy > 20) & (doy < 50) & (rng.random(n) < 0.35)
    filed = np.where(quiet, filed + 30, filed)
    filed = np.minimum(filed, end_day)

    type_idx = _choice_rows(rng, courts["type_mix"].to_numpy()[ci])
    type_eff = courts["type_effect"].to_numpy()[ci, type_idx] + TYPE_EFFECT[type_idx]

    # respondent kind by case type
    p_gov = np.where(type_idx == 3, 0.97, 0.01)
    p_ent = np.select([type_idx == 2, type_idx == 1, type_idx == 0],
                      [0.99, 0.45, 0.35], 0.45)
    u = rng.random(n)
    resp_kind = np.where(u < p_gov, 2, np.where(u < p_gov + (1 - p_gov) * p_ent, 1, 0))

    # subject-matter value: long-tailed, a few very large
    mu = np.select([type_idx == 0, type_idx == 1, type_idx == 4, resp_kind == 1],
                   [9.3, 12.0, 10.0, 11.7], 10.6)
    amount = rng.lognormal(mu, 1.5)
    huge = rng.random(n) < 0.003
    amount = np.where(huge, 1e7 * (1 + rng.pareto(1.2, n)), amount)
    amount = np.round(np.minimum(amount, 5e9), 2)
    log_amt = np.log10(np.maximum(amount, 1.0))

    has_property = rng.random(n) < _sigmoid(-0.3 + 0.45 * strength + 0.9 * (resp_kind == 2)
                                             + 0.25 * (resp_kind == 1))
    complexity = _choice_rows(rng, np.column_stack([
        np.clip(0.75 - 0.12 * log_amt, 0.05, 0.9),
        np.full(n, 0.45),
        np.clip(0.04 * (log_amt - 3.0) ** 2, 0.03, 0.8),
    ]))  # 0 simple, 1 ordinary, 2 complex
    priority = _choice_rows(rng, np.column_stack([
        0.06 + 0.5 * (amount >= 1e6) + 0.25 * (type_idx == 0) + 0.15 * (type_idx == 3),
        np.full(n, 0.65),
        0.25 * (amount < 5e4),
    ]))  # 0 high, 1 normal, 2 low
    case_kind_resumed = rng.random(n) < 0.11

    # outcome
    fp_logit = np.where(has_property, 1.9, -2.2) + 0.75 * strength + type_eff - 0.35 * complexity
    fully = rng.random(n) < _sigmoid(fp_logit)
    other = _choice_rows(rng, np.column_stack([
        np.where(has_property, 0.20, 0.86),        # terminated_current
        np.full(n, 0.06),                          # terminated
        np.full(n, 0.01),                          # not_enforced
        np.full(n, 0.012),                         # rejected
        np.full(n, 0.05),                          # withdrawn
        np.full(n, 0.015),                         # transferred
    ]))
    other_methods = np.array(["terminated_current", "terminated", "not_enforced", "rejected",
                              "withdrawn", "transferred"])
    method = np.where(fully, "fully_performed", other_methods[other])

    complexity_factor = np.array([0.6, 1.0, 2.0])[complexity]
    median_days = np.where(fully, 40.0, np.where(method == "terminated_current", 40.0, 60.0))
    duration = rng.lognormal(np.log(median_days * complexity_factor) - 0.25 * speed, 0.8)
    is_termination = method == "terminated_current"
    # 终本 needs three months; most courts wait, some close early (an unqualified 终本)
    early = rng.random(n) < 0.015 + 0.05 * _sigmoid(-1.5 * strength)
    duration = np.where(is_termination & ~early, 92 + duration, duration)
    stuck = rng.random(n) < 0.03
    duration = np.where(stuck, duration + rng.integers(200, 1200, n), duration)
    closed = filed + np.ceil(duration).astype(np.int64)
    pending = closed > end_day
    method = np.where(pending, "", method)

    fully_now = method == "fully_performed"
    recovered = np.where(
        fully_now, amount * rng.uniform(0.8, 1.0, n),
        np.where((method == "terminated_current") & (rng.random(n) < 0.3),
                 amount * rng.beta(1, 6, n), 0.0))
    recovered = np.where(pending & (rng.random(n) < 0.2), amount * rng.beta(1, 3, n), recovered)
    recovered = np.round(recovered, 2)

    # 终本 closing conditions, satisfied in most cases, less so in weak courts
    miss = 0.003 + 0.02 * _sigmoid(-1.5 * strength)
    terminated_now = method == "terminated_current"
    flags = {}
    for name in CONDITION_COLUMNS:
        done = rng.random(n) >= miss
        # outside 终本 the conditions are not recorded for half the cases (NULL)
        unrecorded = ~terminated_now & (pending | (rng.random(n) < 0.5))
        flags[name] = pl.Series(name, np.where(terminated_now, done, True)).scatter(
            np.flatnonzero(unrecorded), None)

    settled = rng.random(n) < 0.08
    settle_on = filed + np.floor(rng.random(n) * np.maximum(np.minimum(closed, end_day) - filed, 1)
                                 ).astype(np.int64)
    settle_due = settle_on + rng.integers(30, 720, n)

    # respondents: a pool per province and kind, skewed so some owe in many cases and courts
    prov = courts["province_index"].to_numpy()[ci]
    pool = np.ceil(np.array([0.1, 0.04, 0.001])[resp_kind] * n) + 20
    resp_no = np.floor(pool * rng.random(n) ** 1.6).astype(np.int64)
    judges = np.maximum(3, (counts / 180).astype(np.int64))[ci]
    judge_no = np.floor(judges * rng.random(n)).astype(np.int64)

    court_code = courts["court_code"].to_numpy()[ci]
    province = courts["province"].to_numpy()[ci]
    frame = pl.DataFrame({
        "court_code": court_code,
        "province": province,
        "prov": prov,
        "case_kind": np.where(case_kind_resumed, "resumed", "first"),
        "case_type": np.array(TYPE_CODES)[type_idx],
        "filed_on": filed.astype("datetime64[D]"),
        "closed_on": np.where(pending, np.datetime64("NaT"), closed.astype("datetime64[D]")),
        "closing_method": pl.Series(method).replace("", None),
        "amount_applied": amount,
        "amount_recovered": recovered,
        "has_property": has_property,
        "priority": np.array(vocabulary.codes(vocabulary.PRIORITIES))[priority],
        "complexity": np.array(vocabulary.codes(vocabulary.COMPLEXITIES))[complexity],
        "resp_kind": resp_kind,
        "resp_no": resp_no,
        "judge_no": judge_no,
        "settlement_on": np.where(settled, settle_on.astype("datetime64[D]"), np.datetime64("NaT")),
        "settlement_due_on": np.where(settled, settle_due.astype("datetime64[D]"),
                                      np.datetime64("NaT")),
        **flags,
        "petition_draw": rng.random(n),
        "petition_delay": rng.integers(20, 400, n),
        "petition_days": np.ceil(rng.lognormal(np.log(18), 0.9, n)).astype(np.int64),
        "petition_open": rng.random(n),
    })
    # a settled case closed by D mostly has the ruling that closed it recorded (drawn last,
    # so that adding it changed no other draw)
    ruled = settled & ~pending & (rng.random(n) < 0.75)
    frame = frame.with_columns(pl.Series(
        "settlement_ruling_on", np.where(ruled, closed.astype("datetime64[D]"),
                                         np.datetime64("NaT"))).cast(pl.Date))
    cases = _name_cases(frame, courts)
    petitions = _petitions(cases, frame, end)
    return cases, petitions


def _name_cases(frame: pl.DataFrame, courts: pl.DataFrame) -> pl.DataFrame:
    """Case numbers, respondent ids and names, judges: all derived from numbers, vectorized."""
    surnames = pl.Series(SURNAMES)
    given = pl.Series(GIVEN)
    s_len, g_len = len(SURNAMES), len(GIVEN)
    year = pl.col("filed_on").dt.year()
    seq = (pl.col("filed_on").rank("ordinal").over(["court_code", year, "case_kind"])
           .cast(pl.Int64))
    court_part = pl.col("court_code").str.slice(2)
    case_number = pl.format("（{}）{}{}{}{}号", year, pl.col("province"), court_part,
                            pl.when(pl.col("case_kind") == "resumed").then(pl.lit("执恢"))
                            .otherwise(pl.lit("执")), seq)
    r = pl.col("resp_no")
    pk = pl.col("prov")
    person_name = (pl.lit(surnames).gather((r * 7 + pk) % s_len)
                   + pl.lit(given).gather((r // s_len + pk * 3) % g_len))
    ent_name = pl.format("{}{}{}有限公司",
                         pl.lit(pl.Series(PLACES)).gather((r + pk) % len(PLACES)),
                         pl.lit(pl.Series(PLACES)).gather((r // len(PLACES) + 3) % len(PLACES)),
                         pl.lit(pl.Series(INDUSTRIES)).gather(r % len(INDUSTRIES)))
    gov_name = pl.format("{}{}", pl.col("province"),
                         pl.lit(pl.Series(ORGANS)).gather(r % len(ORGANS)))
    kind = pl.col("resp_kind")
    return frame.with_columns(
        case_number=case_number,
        respondent_kind=kind.replace_strict(dict(enumerate(vocabulary.codes(vocabulary.RESPONDENT_KINDS))),
                                            return_dtype=pl.String),
        respondent_id=respondent_ids(frame["resp_kind"].to_numpy(), frame["prov"].to_numpy(),
                                     frame["resp_no"].to_numpy()),
        respondent_name=pl.when(kind == 0).then(person_name)
        .when(kind == 1).then(ent_name).otherwise(gov_name),
        judge=(pl.lit(surnames).gather((pl.col("judge_no") * 11 + pl.col("court_code").hash()
                                        % 97) % s_len)
               + pl.lit(given).gather((pl.col("judge_no") * 5 + 1) % g_len)),
    )


def _petitions(cases: pl.DataFrame, frame: pl.DataFrame, end: dt.date) -> pl.DataFrame:
    """About 3 % of cases draw a petition; most are resolved within weeks."""
    chance = pl.when(pl.col("closed_on").is_null()).then(0.05).otherwise(0.02)
    p = (cases.filter(pl.col("petition_draw") < chance)
         .with_columns(received_on=pl.col("filed_on")
                       + pl.duration(days=pl.col("petition_delay")))
         .filter(pl.col("received_on") <= end)
         .with_columns(resolved_on=pl.when(pl.col("petition_open") < 0.03).then(None)
                       .otherwise(pl.col("received_on")
                                  + pl.duration(days=pl.col("petition_days"))))
         .with_columns(resolved_on=pl.when(pl.col("resolved_on") <= end)
                       .then(pl.col("resolved_on")))
         .sort("case_number"))
    return p.select("case_number", "received_on", "resolved_on")


CASE_COLUMNS = [
    "case_number", "court_code", "case_kind", "case_type", "filed_on", "closed_on",
    "closing_method", "amount_applied", "amount_recovered", "has_property", "priority",
    "complexity", "respondent_id", "respondent_name", "respondent_kind", "judge",
    "settlement_on", "settlement_due_on", "notice_served", "consumption_restricted",
    "dishonest_listed", "network_inquiry_done", "site_investigation_done", "applicant_informed",
    "settlement_ruling_on",
]


def _court_batches(counts: np.ndarray) -> list[np.ndarray]:
    """Court index groups of about BATCH_CASES cases each (a court never splits)."""
    edges = np.searchsorted(np.cumsum(counts), np.arange(BATCH_CASES, counts.sum(), BATCH_CASES))
    return [b for b in np.split(np.arange(len(counts)), np.unique(edges + 1)) if len(b)]


def generate(db_path: str | Path, cases: int = DEFAULT_CASES, seed: int = 7,
             end: dt.date | None = None,
             progress: Callable[[str], None] = _progress) -> dict[str, int]:
    """Build the demo database at db_path (replacing its cases and petitions)."""
    end = end or dt.date.today()
    start = dt.date(end.year - 3, 1, 1)
    profiles = court_profiles(seed)
    # every court gets a base caseload (FLOOR_SHARE of all cases, evenly), so that nearly
    # every court concludes enough cases this year to be ranked; the rest follow the
    # caseload weights (level, region, kind), which give big-city courts the thousands
    floor = int(FLOOR_SHARE * cases / profiles.height)
    counts = floor + np.random.default_rng([seed, 1]).multinomial(
        cases - floor * profiles.height, profiles["weight"].to_numpy())
    written = 0
    with new_version(db_path) as work:
        con = connect(work)
        try:
            with transaction(con):
                con.execute("DELETE FROM petitions")
                con.execute("DELETE FROM cases")
                install_reference(con)
                batches = _court_batches(counts)

                def make(b: int) -> tuple[pl.DataFrame, pl.DataFrame]:
                    # each batch has its own seed: the same data in any order of work
                    idx = batches[b - 1]
                    return generate_batch(np.random.default_rng([seed, 2, b]), profiles[idx],
                                          counts[idx], start, end)

                next_petition = 1
                # the next batch is generated (numpy, polars) while DuckDB stores this one
                with ThreadPoolExecutor(max_workers=1) as ahead:
                    coming = ahead.submit(make, 1)
                    for b in range(1, len(batches) + 1):
                        batch_cases, batch_petitions = coming.result()
                        if b < len(batches):
                            coming = ahead.submit(make, b + 1)
                        _insert(con, "cases", batch_cases.select(CASE_COLUMNS))
                        _insert(con, "petitions", _numbered(batch_petitions, next_petition))
                        next_petition += batch_petitions.height
                        written += batch_cases.height
                        progress(f"  batch {b}/{len(batches)}: {written:,} cases")
            con.execute("CHECKPOINT")
            # the figures reported are the committed database's, not what was meant
            totals = {table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
                      for table in ("cases", "petitions", "courts")}
            record_load(con, "generate", f"generator seed {seed}", totals["cases"])
            con.execute("CHECKPOINT")
        finally:
            con.close()
    if totals["cases"] != written:
        raise RuntimeError(f"{written:,} cases generated but {totals['cases']:,} stored")
    return totals


def _numbered(petitions: pl.DataFrame, first: int) -> pl.DataFrame:
    """The batch's petitions numbered on from `first` (XF00000001 …), in batch order."""
    ids = pl.int_range(first, first + petitions.height, eager=True)
    return petitions.select(pl.format("XF{}", ids.cast(pl.String).str.zfill(8))
                            .alias("petition_id"), *petitions.columns)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    # the table name is one of two constants above, never user input
    con.register("_batch", frame.to_arrow())
    cols = ", ".join(frame.columns)
    con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _batch")
    con.unregister("_batch")
