"""Reference data the project ships: provinces, national courts, case types, targets,
core-index thresholds and value bands. Everything here is *data*, loaded into tables; the
metric SQL reads the tables, never these constants."""

from __future__ import annotations

import polars as pl

from supervision.domain.vocabulary import insert_rows

# (short name, full name, English name, intermediate courts, basic courts)
# Counts approximate the real court systems so the national total is about 3,500.
PROVINCES: list[tuple[str, str, str, int, int]] = [
    ("京", "北京市", "Beijing", 4, 16),
    ("津", "天津市", "Tianjin", 3, 16),
    ("冀", "河北省", "Hebei", 11, 180),
    ("晋", "山西省", "Shanxi", 11, 125),
    ("蒙", "内蒙古自治区", "Inner Mongolia", 12, 108),
    ("辽", "辽宁省", "Liaoning", 14, 100),
    ("吉", "吉林省", "Jilin", 9, 66),
    ("黑", "黑龙江省", "Heilongjiang", 13, 135),
    ("沪", "上海市", "Shanghai", 3, 16),
    ("苏", "江苏省", "Jiangsu", 13, 104),
    ("浙", "浙江省", "Zhejiang", 11, 97),
    ("皖", "安徽省", "Anhui", 16, 112),
    ("闽", "福建省", "Fujian", 9, 84),
    ("赣", "江西省", "Jiangxi", 11, 100),
    ("鲁", "山东省", "Shandong", 16, 150),
    ("豫", "河南省", "Henan", 17, 172),
    ("鄂", "湖北省", "Hubei", 13, 112),
    ("湘", "湖南省", "Hunan", 14, 130),
    ("粤", "广东省", "Guangdong", 21, 140),
    ("桂", "广西壮族自治区", "Guangxi", 14, 118),
    ("琼", "海南省", "Hainan", 4, 20),
    ("渝", "重庆市", "Chongqing", 5, 40),
    ("川", "四川省", "Sichuan", 21, 200),
    ("黔", "贵州省", "Guizhou", 9, 88),
    ("滇", "云南省", "Yunnan", 16, 135),
    ("藏", "西藏自治区", "Tibet", 7, 74),
    ("陕", "陕西省", "Shaanxi", 10, 115),
    ("甘", "甘肃省", "Gansu", 14, 87),
    ("青", "青海省", "Qinghai", 8, 44),
    ("宁", "宁夏回族自治区", "Ningxia", 5, 22),
    ("新", "新疆维吾尔自治区", "Xinjiang", 14, 96),
    ("兵团", "新疆生产建设兵团", "Xinjiang Production and Construction Corps", 14, 40),
]

# Hainan's real courts: (code suffix, name, English name, level, kind)
HAINAN_COURTS: list[tuple[str, str, str, str, str]] = [
    ("000", "海南省高级人民法院", "Hainan Higher People's Court", "high", "general"),
    ("100", "海南省海口市中级人民法院", "Haikou Intermediate People's Court", "intermediate", "general"),
    ("200", "海南省三亚市中级人民法院", "Sanya Intermediate People's Court", "intermediate", "general"),
    ("300", "海南省第一中级人民法院", "Hainan No.1 Intermediate People's Court", "intermediate", "general"),
    ("400", "海南省第二中级人民法院", "Hainan No.2 Intermediate People's Court", "intermediate", "general"),
    ("720", "海口海事法院", "Haikou Maritime Court", "specialized", "maritime"),
    ("101", "海口市秀英区人民法院", "Xiuying District People's Court, Haikou", "basic", "general"),
    ("102", "海口市龙华区人民法院", "Longhua District People's Court, Haikou", "basic", "general"),
    ("103", "海口市琼山区人民法院", "Qiongshan District People's Court, Haikou", "basic", "general"),
    ("104", "海口市美兰区人民法院", "Meilan District People's Court, Haikou", "basic", "general"),
    ("201", "三亚市城郊人民法院", "Sanya Suburban People's Court", "basic", "general"),
    ("301", "琼海市人民法院", "Qionghai People's Court", "basic", "general"),
    ("302", "文昌市人民法院", "Wenchang People's Court", "basic", "general"),
    ("303", "万宁市人民法院", "Wanning People's Court", "basic", "general"),
    ("304", "定安县人民法院", "Ding'an County People's Court", "basic", "general"),
    ("305", "屯昌县人民法院", "Tunchang County People's Court", "basic", "general"),
    ("306", "澄迈县人民法院", "Chengmai County People's Court", "basic", "general"),
    ("307", "琼中黎族苗族自治县人民法院", "Qiongzhong County People's Court", "basic", "general"),
    ("401", "儋州市人民法院", "Danzhou People's Court", "basic", "general"),
    ("402", "东方市人民法院", "Dongfang People's Court", "basic", "general"),
    ("403", "五指山市人民法院", "Wuzhishan People's Court", "basic", "general"),
    ("404", "临高县人民法院", "Lingao County People's Court", "basic", "general"),
    ("405", "昌江黎族自治县人民法院", "Changjiang County People's Court", "basic", "general"),
    ("406", "白沙黎族自治县人民法院", "Baisha County People's Court", "basic", "general"),
    ("407", "乐东黎族自治县人民法院", "Ledong County People's Court", "basic", "general"),
    ("408", "陵水黎族自治县人民法院", "Lingshui County People's Court", "basic", "general"),
    ("409", "保亭黎族苗族自治县人民法院", "Baoting County People's Court", "basic", "general"),
    ("410", "洋浦经济开发区人民法院", "Yangpu Economic Development Zone People's Court", "basic", "general"),
]

# Other specialized courts outside Hainan: (province, name, English name, kind)
SPECIALIZED_COURTS: list[tuple[str, str, str, str]] = [
    ("沪", "上海海事法院", "Shanghai Maritime Court", "maritime"),
    ("津", "天津海事法院", "Tianjin Maritime Court", "maritime"),
    ("粤", "广州海事法院", "Guangzhou Maritime Court", "maritime"),
    ("辽", "大连海事法院", "Dalian Maritime Court", "maritime"),
    ("鲁", "青岛海事法院", "Qingdao Maritime Court", "maritime"),
    ("鄂", "武汉海事法院", "Wuhan Maritime Court", "maritime"),
    ("浙", "宁波海事法院", "Ningbo Maritime Court", "maritime"),
    ("闽", "厦门海事法院", "Xiamen Maritime Court", "maritime"),
    ("桂", "北海海事法院", "Beihai Maritime Court", "maritime"),
    ("苏", "南京海事法院", "Nanjing Maritime Court", "maritime"),
    ("京", "北京知识产权法院", "Beijing Intellectual Property Court", "ip"),
    ("沪", "上海知识产权法院", "Shanghai Intellectual Property Court", "ip"),
    ("粤", "广州知识产权法院", "Guangzhou Intellectual Property Court", "ip"),
    ("琼", "海南自由贸易港知识产权法院", "Hainan Free Trade Port IP Court", "ip"),
    ("沪", "上海金融法院", "Shanghai Financial Court", "financial"),
    ("京", "北京金融法院", "Beijing Financial Court", "financial"),
    ("渝", "成渝金融法院", "Chengdu-Chongqing Financial Court", "financial"),
    ("浙", "杭州互联网法院", "Hangzhou Internet Court", "internet"),
    ("京", "北京互联网法院", "Beijing Internet Court", "internet"),
    ("粤", "广州互联网法院", "Guangzhou Internet Court", "internet"),
    ("京", "北京铁路运输法院", "Beijing Railway Transport Court", "railway"),
    ("沪", "上海铁路运输法院", "Shanghai Railway Transport Court", "railway"),
    ("黑", "哈尔滨铁路运输法院", "Harbin Railway Transport Court", "railway"),
    ("吉", "长春铁路运输法院", "Changchun Railway Transport Court", "railway"),
    ("豫", "郑州铁路运输法院", "Zhengzhou Railway Transport Court", "railway"),
    ("陕", "西安铁路运输法院", "Xi'an Railway Transport Court", "railway"),
    ("赣", "南昌铁路运输法院", "Nanchang Railway Transport Court", "railway"),
    ("鲁", "济南铁路运输法院", "Jinan Railway Transport Court", "railway"),
    ("甘", "兰州铁路运输法院", "Lanzhou Railway Transport Court", "railway"),
    ("新", "乌鲁木齐铁路运输法院", "Urumqi Railway Transport Court", "railway"),
    ("川", "成都铁路运输法院", "Chengdu Railway Transport Court", "railway"),
    ("桂", "南宁铁路运输法院", "Nanning Railway Transport Court", "railway"),
    ("晋", "太原铁路运输法院", "Taiyuan Railway Transport Court", "railway"),
    ("辽", "沈阳铁路运输法院", "Shenyang Railway Transport Court", "railway"),
    ("蒙", "呼和浩特铁路运输法院", "Hohhot Railway Transport Court", "railway"),
    ("滇", "昆明铁路运输法院", "Kunming Railway Transport Court", "railway"),
]

# (code, name, English name, specific) — the five specific types first.
CASE_TYPES: list[tuple[str, str, str, bool]] = [
    ("livelihood", "涉民生案件", "Livelihood (wages, support, injury)", True),
    ("financial_loan", "涉金融借款案件", "Financial loans", True),
    ("private_sme", "涉民营及中小微企业案件", "Private enterprises and SMEs", True),
    ("government", "涉党政机关案件", "Government organs as respondents", True),
    ("criminal_property", "刑事裁判涉财产部分", "Property parts of criminal judgments", True),
    ("sales_contract", "买卖合同纠纷", "Sales contracts", False),
    ("private_lending", "民间借贷纠纷", "Private lending", False),
    ("lease", "租赁合同纠纷", "Leases", False),
    ("construction", "建设工程纠纷", "Construction projects", False),
    ("other_civil", "其他民商事案件", "Other civil and commercial", False),
]

# (target, metric, target rank, minimum concluded cases to be ranked)
TARGETS: list[tuple[str, str, int, int]] = [
    ("overall", "overall_rate", 20, 30),
    ("specific_type", "overall_rate", 15, 30),
]

# 2018 national goals: 90 % for indices 1–3, 80 % for index 4, 90 % of courts meeting all.
CORE_THRESHOLDS: list[tuple[str, float]] = [
    ("property_within_limit", 0.90),
    ("termination_qualified", 0.90),
    ("petitions_resolved", 0.90),
    ("three_year_conclusion", 0.80),
    ("courts_meeting_standard", 0.90),
]

# Value bands in yuan [min, max): the bands in 万元 (<1, 1–10, 10–100, 100–1000, ≥1000).
VALUE_BANDS: list[tuple[str, str, str, int, int | None]] = [
    ("lt_1w", "1万元以下", "under 10k yuan", 0, 10_000),
    ("1w_10w", "1万–10万元", "10k–100k yuan", 10_000, 100_000),
    ("10w_100w", "10万–100万元", "100k–1M yuan", 100_000, 1_000_000),
    ("100w_1000w", "100万–1000万元", "1M–10M yuan", 1_000_000, 10_000_000),
    ("ge_1000w", "1000万元以上（大标的）", "10M yuan and over (large-value)", 10_000_000, None),
]

def _province_prefix(index: int) -> str:
    return f"P{index:02d}"


def national_courts() -> pl.DataFrame:
    """Every court of every province-level system; Hainan's with their real names."""
    rows: list[dict[str, str]] = []
    for idx, (short, full, en, n_mid, n_basic) in enumerate(PROVINCES, start=1):
        prefix = "HI" if short == "琼" else _province_prefix(idx)
        if short == "琼":
            for suffix, name, name_en, level, kind in HAINAN_COURTS:
                rows.append(dict(court_code=f"HI{suffix}", name=name, name_en=name_en,
                                 province=short, level=level, kind=kind))
        else:
            high_name = ("新疆维吾尔自治区高级人民法院生产建设兵团分院" if short == "兵团"
                         else f"{full}高级人民法院")
            rows.append(dict(court_code=f"{prefix}000", name=high_name,
                             name_en=f"{en} Higher People's Court", province=short,
                             level="high", kind="general"))
            for m in range(1, n_mid + 1):
                rows.append(dict(court_code=f"{prefix}M{m:02d}",
                                 name=f"{full}第{m}中级人民法院",
                                 name_en=f"{en} Intermediate People's Court No.{m}",
                                 province=short, level="intermediate", kind="general"))
            for b in range(1, n_basic + 1):
                rows.append(dict(court_code=f"{prefix}B{b:03d}",
                                 name=f"{full}第{b}基层人民法院",
                                 name_en=f"{en} Basic People's Court No.{b}",
                                 province=short, level="basic", kind="general"))
        for s_idx, (_prov, name, name_en, kind) in enumerate(
            [s for s in SPECIALIZED_COURTS if s[0] == short], start=1
        ):
            code = f"HIS{s_idx:02d}" if short == "琼" else f"{prefix}S{s_idx:02d}"
            rows.append(dict(court_code=code, name=name, name_en=name_en, province=short,
                             level="specialized", kind=kind))
    return pl.DataFrame(rows)


def provinces_frame() -> pl.DataFrame:
    return pl.DataFrame(
        [dict(province=s, name=f, name_en=e, sort_order=i)
         for i, (s, f, e, _, _) in enumerate(PROVINCES, start=1)]
    )


def case_types_frame() -> pl.DataFrame:
    return pl.DataFrame(
        [dict(code=c, name=n, name_en=e, specific=s) for c, n, e, s in CASE_TYPES]
    )


def install_defaults(con) -> None:
    """Targets, thresholds and value bands: inserted only where missing, so edits survive."""
    _insert_missing(con, "targets", "target", TARGETS)
    _insert_missing(con, "core_thresholds", "index_code", CORE_THRESHOLDS)
    _insert_missing(con, "value_bands", "band",
                    [(b, n, e, lo, hi, i) for i, (b, n, e, lo, hi) in enumerate(VALUE_BANDS)])


def _insert_missing(con, table: str, key: str, rows: list[tuple]) -> None:
    """The rows whose key (their first value) `table` lacks: read first, since nearly every
    opening finds them all."""
    have = {k for (k,) in con.execute(f"SELECT {key} FROM {table}").fetchall()}
    insert_rows(con, f"INSERT INTO {table}", [row for row in rows if row[0] not in have],
                "ON CONFLICT DO NOTHING")


def install_reference(con) -> None:
    """Provinces, national courts and case types (the demo's reference tables)."""
    for table, frame in (("provinces", provinces_frame()), ("courts", national_courts()),
                         ("case_types", case_types_frame())):
        con.register("_ref", frame.to_arrow())
        cols = ", ".join(frame.columns)
        con.execute(f"INSERT OR REPLACE INTO {table} ({cols}) SELECT {cols} FROM _ref")
        con.unregister("_ref")
