"""Chinese first, English on a switch. One table of labels; `t(key)` picks the language."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import polars as pl

from supervision.domain import metric_declarations, vocabulary
from supervision.engine.projection import PACE_WEEKS

T = TypeVar("T")

LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("执行工作督导看板", "Enforcement supervision dashboard"),
    "login_title": ("登录", "Log in"),
    "login_hint": ("请使用分配的账号登录。", "Log in with the account you were given."),
    "bad_login": ("用户名或密码错误，或动态口令不正确。",
                  "Wrong username or password, or a wrong one-time code."),
    "login_locked": ("登录失败次数过多，账号已暂时锁定，请于 {until} 后再试。",
                     "Too many failed logins: the account is locked until {until}."),
    "login_throttled": ("此地址登录尝试过于频繁，请稍候一分钟再试。",
                        "Too many login attempts from this address: wait a minute and "
                        "try again."),
    "login_busy": ("服务器正忙于其他登录，请稍后再试。",
                   "The server is busy with other logins: try again in a moment."),
    "login_needs_second_factor": ("该角色须使用动态口令登录，但账号尚未绑定动态口令，请联系管理员绑定。",
                                  "This role logs in with a one-time code, but the account "
                                  "has none enrolled: ask an administrator to enroll it."),
    "one_time_code": ("动态口令 / One-time code", "动态口令 / One-time code"),
    "one_time_code_help": ("督导组和管理员账号须填写身份验证器应用上的6位数字；其他账号未绑定时可留空。",
                           "Supervisors and administrators enter the 6 digits their "
                           "authenticator app shows; others leave it empty unless enrolled."),
    "session_over": ("登录已失效（已退出、超时或账号已停用），请重新登录。",
                     "Your session has ended (logged out, idle or account disabled); "
                     "please log in again."),
    "as_of_refused": ("链接中的统计日期 {asked} 不在数据范围（{first} 至 {last}）内，已显示最新数据。",
                      "The link's as-of date {asked} is outside the data ({first} to {last}); "
                      "showing the latest data."),
    "production_refused": ("生产模式下无法启动：", "Refusing to start in production mode: "),
    "logout": ("退出登录", "Log out"),
    "language": ("English", "中文"),
    "as_of": ("统计截至", "As of"),
    "court": ("法院", "Court"),
    "case_type": ("案件类型", "Case type"),
    "all": ("全部", "All"),
    "others": ("其他类型", "Other types"),
    "value_band": ("标的额区间", "Value band"),
    "custom": ("自定义", "Custom"),
    "value_min": ("最低（万元）", "Min (10k yuan)"),
    "value_max": ("最高（万元）", "Max (10k yuan)"),
    "priority": ("优先级", "Priority"),
    "complexity": ("复杂程度", "Complexity"),
    "filters": ("筛选条件", "Filters"),
    "filters_caption": ("筛选：", "Filters: "),
    "page_province": ("全省一览", "Province at a glance"),
    "province_hint": ("点击一行打开该院的督导简报。表头可排序。",
                      "Click a row to open that court's brief; sort by any column."),
    "types_meeting": ("五类达标", "Types on target"),
    "core_meeting": ("3+1达标", "3+1 met"),
    "backward_count": ("落后指标", "Backward indices"),
    "backward_change": ("落后指标较上周", "Backward indices vs last week"),
    # the standing state (a lasting position, never a backward reason) and this week's slips
    "target_standing": ("目标状态", "Target standing"),
    "standing_help": ("持续状态，不算落后：是否在实际执行率全国前{k}名内（本期已结案件不足最低件数的法院不排名）。",
                      "A lasting state, not a backward index: whether the court is within the "
                      "top {k} nationally on the successful enforcement rate (a court with too "
                      "few cases concluded this period is not ranked)."),
    "in_target": ("前{k}名内", "Within the top {k}"),
    "outside_target": ("未进入前{k}名", "Outside the top {k}"),
    "newly_backward": ("本周新增落后指标", "Newly backward this week"),
    "newly_backward_help": ("本周落后、上周不落后的指标：本周下滑的指标。",
                            "Indices backward this week that were not last week: what slipped "
                            "this week."),
    "moved_up": ("上升{n}名", "up {n}"),
    "moved_down": ("下降{n}名", "down {n}"),
    "unchanged": ("持平", "unchanged"),
    "rank_nth": ("第{rank}名", "{rank}"),
    "rank_with_move": ("第{rank}名（{move}）", "{rank} ({move})"),
    "count_more": ("增加{n}{unit}", "{n} more"),
    "count_fewer": ("减少{n}{unit}", "{n} fewer"),
    "unit_items": ("项", "indices"),
    "rank_change_help": ("全国排名与一周前相比：上升为变好，下降为变差。",
                         "National rank against a week before: up is better, down is worse."),
    "backward_change_help": ("落后指标个数与一周前相比：增加为变差，减少为变好。",
                             "The number of backward indices against a week before: more is "
                             "worse, fewer is better."),
    "projected_rank_help": ("按各院近{weeks}周进度推算到12月31日的全国排名（实际执行率）。",
                            "The national rank on the successful enforcement rate projected "
                            "to 31 December at every court's pace of the last {weeks} weeks."),
    "subset_rate": ("筛选子集：实际执行率", "Filtered subset: enforcement rate"),
    "subset_rank": ("筛选子集：排名", "Filtered subset: rank"),
    "subset_columns_note": ("“{rate}”“{rank}”两列（筛选子集：{subset}）只是对所选案件的分析（每家法院仅按其所选案件排名），不作达标判断；"
                            "排名、差距、目标状态与落后指标均按全部案件计算。",
                            "The columns \"{rate}\" and \"{rank}\" (filtered subset: {subset}) "
                            "are an analysis of the selected cases only (every court ranked on "
                            "its selected cases), never a target verdict; the rank, gaps, "
                            "standing and backward indices count all cases."),
    "backward_courts": ("有落后指标（低于标准、低于全省或全国排名较上周下降，含此前已落后的）的法院 {n} 家（共 {total} 家）：{names}。",
                        "{n} of {total} courts have a backward index (below the threshold, "
                        "below the province, or a national rank that fell since last week; "
                        "including those backward before): {names}."),
    "backward_courts_none": ("没有法院有落后指标（共 {total} 家）。",
                             "No court has a backward index (of {total})."),
    "newly_backward_courts": ("本周新增落后指标的法院（本周下滑）{n} 家：{names}。",
                              "Courts that slipped this week (an index newly backward): {n} "
                              "({names})."),
    "newly_backward_courts_none": ("本周没有法院新增落后指标（本周无下滑）。",
                                   "No court has an index newly backward this week (none "
                                   "slipped)."),
    "outside_target_courts": ("未进入前{k}名的法院 {n} 家（持续状态，不计为落后）。",
                              "{n} courts are outside the top {k} (a standing state, not counted "
                              "as backward)."),
    "courts_count": ("家法院", "courts"),
    "rank_help": ("全国排名 = 1 + 实际执行率严格高于本院的已排名法院数（本期已结案件达到最低件数才排名）。",
                  "National rank = 1 + ranked courts with a strictly higher rate (a court is "
                  "ranked with enough cases concluded this period)."),
    "gap_help": ("距名线差距（今日，件）：按今天的数据，还需再执行完毕多少件未结案件，实际执行率才能达到今天的前{k}名线；"
                 "每件同时计入分子和分母。不含到年底前的进度（见“年底前还需执行完毕”）。",
                 "Gap to the cutoff today (cases): on today's counts, how many more pending "
                 "cases must end in full performance for the rate to reach today's top-{k} "
                 "cutoff; each adds one to both parts of the rate. It leaves out the pace to "
                 "31 December (see \"Still needed by 31 December\")."),
    "year_end_need": ("年底前还需执行完毕（件）", "Still needed by 31 December (cases)"),
    "year_end_need_amount": ("年底前还需执行到位（万元）",
                             "Still to recover by 31 December (10k yuan)"),
    "year_end_need_help": ("年底前还需执行完毕（件）：按本院和各院近{weeks}周进度推算到12月31日，"
                           "在本院现有进度之外还需再执行完毕多少件，才能达到预计的年底前{k}名线。",
                           "Still needed by 31 December (cases): with this court's and every "
                           "court's pace of the last {weeks} weeks projected to 31 December, how "
                           "many more full-performance conclusions, on top of this court's pace, "
                           "reach the projected year-end top-{k} cutoff."),
    "types_meeting_help": ("五类特定案件中，本院排名在前{k}名以内的类型数 / 类型数。",
                           "Of the five specific types, how many rank within the top {k}."),
    "core_meeting_help": ("“3+1”核心指标中达到标准的个数 / 有案件可计算的指标个数（标准见法院督导简报；"
                          "没有案件的指标不计入，也不影响达标）。",
                          "How many of the 3+1 core indices meet their threshold, of those "
                          "with cases to measure (an index with none is left out and cannot "
                          "fail the standard)."),
    "backward_help": ("落后指标个数：低于标准、低于全省或全国排名较上周下降（含此前已落后、本周仍落后的）；本周新出现的见“本周新增落后指标”。"
                      "未进入目标名次是持续状态，见“目标状态”，不计入。",
                      "Backward indices: below their threshold, below the province, or whose "
                      "national rank fell since last week (including those backward before "
                      "and still backward); those new this week are under \"Newly backward "
                      "this week\". Being outside the target rank is a standing state (see "
                      "\"Target standing\"), not counted."),
    "page_targets": ("目标与排名", "Targets and rankings"),
    "page_brief": ("法院督导简报", "Court brief"),
    "page_pending": ("未结案件分类", "Pending cases"),
    "page_explorer": ("案件查询", "Explorer"),
    "page_termination": ("终本审查", "Termination audit"),
    "page_settlements": ("执行和解", "Settlements"),
    "page_respondent": ("被执行人", "Respondent"),
    "page_escalation": ("联动处置", "Joint action"),
    "page_ledger": ("督导台账", "Supervision ledger"),
    "items_open": ("未完成整改事项", "Open items"),
    "items_overdue": ("逾期事项", "Overdue items"),
    "items_done": ("已完成", "Done"),
    "ledger_items": ("督导意见与整改进展", "Opinions and their progress"),
    "no_items": ("该院还没有督导意见。", "No opinion recorded for this court yet."),
    "item_no": ("事项", "Item"),
    "visit_on": ("督导日期", "Visit date"),
    "requirement": ("要求", "Requirement"),
    "owner": ("责任人", "Owner"),
    "due_on": ("完成期限", "Due"),
    "overdue_item": ("已逾期", "Overdue"),
    "linked_index": ("关联指标", "Linked index"),
    "progress": ("进展", "Progress"),
    "index_over_updates": ("关联指标在各次更新时的数值", "The linked index at each update"),
    "index_now": ("保存时一并记录：{index} 截至 {as_of} 为 {value}。",
                  "Saved with it: {index} as of {as_of} is {value}."),
    "record_visit": ("记录一次督导", "Record a visit"),
    "members": ("督导组成员", "Delegation members"),
    "opinions_hint": ("每行一条意见；要求为空的行不保存。", "One opinion a row; rows without a requirement are not saved."),
    "choose_item": ("查看或更新事项", "Open an item to see or update it"),
    "choose_item_none": ("（选择一项）", "(choose one)"),
    "save_visit": ("保存督导记录", "Save the visit"),
    "typical_cases": ("典型案例（宣传）", "Typical cases (publicity)"),
    "no_typical": ("还没有标记典型案例。", "No typical case marked yet."),
    "summary": ("简要说明", "Summary"),
    "mark_typical": ("标记为典型案例", "Mark as typical"),
    "open_items_title": ("督导整改事项（未完成）", "Open rectification items"),
    "page_weekly": ("每周落后指标通报", "Weekly backward-index report"),
    "page_publications": ("已发布通报", "Published reports"),
    "publications_caption": (
        "每周一发布的通报按发布时的字节保存（PDF、XLSX 及其 SHA-256、所依据的数据版本），"
        "之后的导入不会改变已下载的文件。",
        "Each Monday's report is kept as published (the PDF and XLSX with their SHA-256 and "
        "the data version they were built from); later imports never change the files."),
    "no_publications": ("尚无已发布的通报（`python -m supervision weekly --publish`）。",
                        "No report published yet (`python -m supervision weekly --publish`)."),
    "publication_pick": ("通报", "Report"),
    "download_published_pdf": ("下载已发布的 PDF", "Download the published PDF"),
    "download_published_xlsx": ("下载已发布的 XLSX", "Download the published XLSX"),
    "changed_since_title": ("发布后的变化", "What changed since publication"),
    "changed_since_none": ("按今天的数据，截至 {as_of} 的数字与发布时相同。",
                           "With today's data, the figures as of {as_of} are those published."),
    "changed_since_n": (
        "按今天的数据重算截至 {as_of} 的数字，有 {n} 项与发布时不同（例如其后的更正导入）：",
        "Recomputed with today's data, {n} figures as of {as_of} differ from the published "
        "ones (a correcting import since, for instance):"),
    "published_value": ("发布时", "Published"), "today_value": ("今天", "Today"),
    "index_col": ("指标", "Index"),
    "drop_runs_title": ("投放目录导入（最近）", "Drop-folder imports (latest)"),
    "drop_runs_none": ("还没有投放目录导入。", "No drop-folder import yet."),
    "drop_failures": ("{n} 个文件导入失败，已移至 failed/：", "{n} files failed and were moved to failed/:"),
    "page_roadmap": ("达标路线图", "Roadmap to the target"),
    "roadmap_method": (
        "可能性：本院近三年已结案件中，与该案“有无财产、复杂程度”相同的案件执行完毕的比例，"
        "按{prior}件的权重向本院总体比例收缩；本院从未结过的组合用总体比例。排序：可能性、优先级、目标结案日、标的额。"
        "排期：把所需件数平均分到至12月31日的各周，按顺序放入期望累计尚未达到该周累计配额的最早一周。",
        "Likelihood: the share of the court's own cases closed in the last three years, with "
        "the same property finding and complexity, that ended in full performance, shrunk "
        "toward the court's overall share with the weight of {prior} cases (a combination never "
        "closed takes the overall share). Order: likelihood, priority, target close date, "
        "value. Schedule: the need spread evenly over the weeks to 31 December; cases go in "
        "order into the earliest week whose cumulative expected count is below its "
        "cumulative quota."),
    "roadmap_overall": ("实际执行率：进入全国前{k}名", "Successful enforcement rate: top {k}"),
    "roadmap_type": ("{type}：进入全国前{k}名", "{type}: top {k}"),
    "roadmap_need": ("年底前还需执行完毕（件）", "Still needed by 31 December (cases)"),
    "roadmap_per_week": ("即在本院现有进度之外，平均每周再多执行完毕 {per:.1f} 件（{need} 件分到剩余 {weeks:.1f} 周）。",
                         "That is {per:.1f} more full-performance conclusions a week on top of the "
                         "court's current pace ({need} spread over the {weeks:.1f} weeks left)."),
    "roadmap_cases": ("路线图案件", "Cases on the roadmap"),
    "roadmap_expected": ("全部未结案件的期望执行完毕数", "Expected from all pending cases"),
    "roadmap_shortfall": ("计划缺口（件）", "Plan shortfall (cases)"),
    "roadmap_shortfall_help": ("计划缺口（件）= 年底前还需执行完毕的件数 − 全部未结案件的期望执行完毕数（不小于0）："
                               "即使把全部未结案件都推进，按可能性估计仍差的件数。",
                               "Plan shortfall (cases) = still needed by 31 December − the "
                               "full performances expected from every pending case (at least "
                               "0): what even pushing every pending case is expected to leave "
                               "short."),
    "roadmap_amount_metric": ("该排名按执行到位率：按近{weeks}周进度推算，要达到预计的前{k}名线，年底前还需多执行到位 {extra} 万元。"
                              "达标路线图按执行完毕的件数排期，不适用于金额指标。",
                              "This ranking is on the amount recovery rate: at the pace of "
                              "the last {weeks} weeks, reaching the projected top-{k} cutoff needs "
                              "{extra} (10k yuan) more recovered by 31 December. The roadmap "
                              "plans full-performance conclusions (cases) and does not apply "
                              "to an amount target."),
    "roadmap_unranked": ("本期未排名：没有可计算的名线差距。", "Unranked this period: no gap to plan for."),
    "roadmap_on_track": ("按现有进度预计年底可达到目标，无需额外安排。",
                         "At its pace it reaches the target by year end: nothing extra to plan."),
    "roadmap_no_history": ("本院近三年没有已结案件，无法估计可能性；按优先级和日期排序。",
                           "The court closed no case in three years: no likelihood to estimate; "
                           "ordered by priority and date."),
    "roadmap_short": ("即使全部 {pending} 件未结案件都推进，期望只能执行完毕 {expected} 件，少于所需的 {need} 件："
                      "计划缺口 {short} 件，本期靠现有未结案件无法达到目标。",
                      "Even all {pending} pending cases are expected to give only {expected} "
                      "full performances, fewer than the {need} needed: {short} short; the "
                      "target cannot be reached from the pending caseload this period."),
    "roadmap_need_official": ("年底前还需执行完毕（件，全部案件口径）",
                              "Still needed by 31 December (cases, on all cases)"),
    "roadmap_cases_subset": ("筛选子集的路线图案件", "Roadmap cases in the filtered subset"),
    "roadmap_expected_subset": ("筛选子集未结案件的期望执行完毕数",
                                "Expected from the filtered subset's pending cases"),
    "roadmap_shortfall_subset": ("筛选子集的计划缺口（件）",
                                 "Plan shortfall of the filtered subset (cases)"),
    "roadmap_shortfall_subset_help": (
        "筛选子集的计划缺口（件）= 年底前还需执行完毕的件数（全部案件口径）− 筛选子集未结案件的期望执行完毕数"
        "（不小于0）：只推进该子集的未结案件时，按可能性估计仍差的件数；子集之外的未结案件未计入。",
        "Plan shortfall of the filtered subset (cases) = still needed by 31 December (on all "
        "cases) − the full performances expected from the subset's pending cases (at least "
        "0): what pushing only the subset's pending cases is expected to leave short; pending "
        "cases outside the subset are not counted."),
    "roadmap_subset_note": (
        "所需件数按本院本期全部案件计算（官方口径）；路线图案件、期望执行完毕数和计划缺口只计筛选子集（{subset}）的未结案件。",
        "The need is official (all the court's cases of the period); the roadmap cases, the "
        "expected count and the plan shortfall count only the filtered subset's ({subset}) "
        "pending cases."),
    "roadmap_short_subset": (
        "筛选子集（{subset}）的 {pending} 件未结案件即使都推进，期望只能执行完毕 {expected} 件，"
        "少于全部案件口径所需的 {need} 件，差 {short} 件：仅靠该子集的未结案件预计补不上所需件数"
        "（子集之外的未结案件未计入）。",
        "Even all {pending} pending cases of the filtered subset ({subset}) are expected to "
        "give only {expected} full performances, fewer than the {need} needed on all cases: "
        "{short} short; this subset's pending cases alone are not expected to make up the "
        "need (pending cases outside the subset are not counted)."),
    "roadmap_chart": ("每周计划与累计进度", "The plan by week"),
    "roadmap_cum_expected": ("累计期望执行完毕", "Cumulative expected"),
    "roadmap_cum_quota": ("累计所需", "Cumulative need"),
    "roadmap_order": ("顺序", "Order"),
    "roadmap_likelihood": ("执行完毕可能性", "Likelihood of full performance"),
    "roadmap_week": ("计划周", "Planned week"),
    "roadmap_timetable": ("时间表按达标路线图排期", "Timetable by the roadmap"),
    "weekly_title": ("{province}执行工作每周落后指标通报（截至 {as_of}）",
                     "{province}: weekly backward-index report (as of {as_of})"),
    "rank_change": ("排名较上周", "Rank vs last week"),
    "backward_reasons": ("落后指标及原因", "Backward indices and reasons"),
    "open_items_n": ("未完成整改", "Open items"),
    "weekly_hint": ("每行一家法院。底色：落后指标——低于标准、低于全省或全国排名较上周下降（含此前已落后、本周仍落后的）；"
                    "本周新出现的落后指标见“本周新增落后指标”列。"
                    "“目标状态”是持续状态，不算落后。较上周的变化用文字表示：排名“上升/下降N名”，落后指标“增加/减少N项”。",
                    "One row per court. Shaded: backward indices — below the threshold, below "
                    "the province, or a national rank that fell since last week (including "
                    "those backward before and still backward); those new this week are in "
                    "\"Newly backward this week\". "
                    "\"Target standing\" is a lasting state, not backward. "
                    "Changes since last week are in words: the rank \"up/down N\", backward "
                    "indices \"N more/fewer\"."),
    "download_weekly_xlsx": ("下载通报（XLSX）", "Download the report (XLSX)"),
    "download_weekly_pdf": ("下载通报（PDF，A4）", "Download the report (PDF, A4)"),
    "escalation_criteria": ("提请联动的条件", "Criteria for the joint-action mechanism"),
    "esc_months": ("未结超过（月）", "Pending over (months)"),
    "esc_value": ("标的额不低于（万元）", "Value at least (10k yuan)"),
    "esc_petitions": ("信访不少于（件）", "Petitions at least"),
    "esc_criteria_line": ("条件（满足其一）：未结超过 {months} 个月；标的额不低于 {value} 万元；有财产但超过法定期限未执结；信访 {petitions} 件以上。",
                          "Criteria (any one): pending over {months} months; value at least "
                          "{value} (10k yuan); property found yet past the statutory deadline; "
                          "{petitions} or more petitions."),
    "esc_candidates": ("符合条件的未结案件", "Pending cases meeting a criterion"),
    "escalated": ("已提请联动", "Escalated"),
    "resolved": ("已化解", "Resolved"),
    "esc_none": ("没有符合条件的未结案件。", "No pending case meets a criterion."),
    "esc_reasons": ("符合的条件", "Criteria met"),
    "esc_unmarked": ("未标记", "not marked"),
    "esc_marked": ("本院已标记的案件", "Cases of this court marked"),
    "esc_marked_help": ("包括已不再符合当前条件的案件（例如已结案）。",
                        "Including cases that no longer meet the criteria (e.g. closed)."),
    # a time shown in the court's zone (supervision.config.timezone_name), the zone named
    "time_local": ("时间（{zone}）", "Time ({zone})"),
    "zone_beijing": ("北京时间", "Asia/Shanghai"),
    "time_in_zone": ("{time}（{zone}）", "{time} ({zone})"),
    "note": ("说明", "Note"),
    "save": ("保存", "Save"),
    "saved": ("已保存。", "Saved."),
    "concurrent_edit": ("未保存：{detail}", "Not saved: {detail}"),
    "respondent_search": ("查找被执行人（姓名/名称或证件号）", "Find a respondent (name or ID number)"),
    "respondent_hint": ("在上方查找，或在“未结案件分类”页的关联案件表中点击一行。",
                        "Search above, or click a row of the related-cases table on the "
                        "pending page."),
    "respondent_none": ("您可查看的法院中没有该被执行人的案件。",
                        "No case of this respondent in the courts you may see."),
    "respondent_scope": ("统计截至 {as_of}；范围：{scope}内您可查看的全部法院的全部案件（侧栏的类型、金额等筛选不适用）。",
                         "As of {as_of}; scope: every case in every court you may see in "
                         "{scope} (the sidebar's type, value … filters do not apply)."),
    "respondent": ("被执行人", "Respondent"),
    "id_number": ("证件号", "ID number"),
    "respondent_search_whole_id": ("按证件号查找须输入完整号码；证件号以脱敏形式显示。",
                                   "Searching by ID number takes the whole number; ID "
                                   "numbers are shown masked."),
    "petitions_n": ("信访", "Petitions"),
    "oldest_pending": ("最久未结", "Longest pending"),
    "days_n": ("{n} 天", "{n} days"),
    "median_pending": ("未结案件的中位未结天数：{n}", "Median days pending: {n}"),
    "settlements_n": ("和解案件", "Cases with a settlement"),
    "long_term_n": ("长期履行和解", "Long-term settlements"),
    "long_term_help": ("履行期限在和解之日起 {days} 天及以上的和解。",
                       "Settlements due {days} days or more after they were agreed."),
    "overdue_pending_n": ("逾期未履行（未结）", "Overdue and pending"),
    "closed_without_ruling_n": ("和解结案未见裁定", "Closed without a ruling"),
    "closed_without_ruling_help": ("已结案的和解案件中，没有记录结案裁定日期（或裁定晚于统计日）的件数。",
                                   "Closed cases with a settlement whose closing ruling is not "
                                   "recorded (or dated after the as-of date)."),
    "ruling_not_in_data": ("数据中没有“和解结案裁定日期”这一字段的任何记录，无法判断和解结案是否有裁定；"
                           "请在导入文件中提供该列（见数据格式说明）。",
                           "The data hold no settlement ruling dates at all, so closings "
                           "without a ruling cannot be told; import the column "
                           "settlement_ruling_on (see the data format)."),
    "no_settlements": ("筛选条件下没有和解案件。", "No case with a settlement under these filters."),
    "long_term_only": ("只看长期履行和解", "Long-term settlements only"),
    "terminations": ("终本结案", "Terminations"),
    "qualified_rate": ("终本合格率", "Qualified rate"),
    "closed_within_3_months_n": ("立案3个月内终本", "Within 3 months of filing"),
    "resumed_after": ("终本后恢复执行", "Resumed after termination"),
    "termination_monthly": ("各月终本合格率", "Qualified terminations by month"),
    "termination_by_court": ("各院终本合格率", "Qualified terminations by court"),
    "unqualified_cases": ("不合格的终本案件（缺少的条件）", "Unqualified terminations (missing conditions)"),
    "missing_conditions": ("缺少的条件", "Missing conditions"),
    "all_terminations": ("显示全部终本案件（含合格）", "Show every termination (qualified too)"),
    "all_terminations_help": ("逐案列出六项终本条件：✓ 已满足，✗ 未满足（空值视为未满足）。",
                              "The six closing conditions case by case: ✓ satisfied, ✗ not "
                              "(empty counts as not)."),
    "months_to_close": ("立案至终本（月）", "Months filed to closed"),
    "no_terminations": ("本期没有终本结案。", "No termination this period."),
    "all_qualified": ("本期终本结案均符合条件。", "Every termination this period is qualified."),
    "month": ("月份", "Month"),
    "qualified": ("合格", "qualified"),
    "unqualified": ("不合格", "unqualified"),
    "resumed_help": ("同一法院、同一被执行人在终本之后立案的恢复执行案件数（按立案月份）：终本过早的信号。",
                     "Resumed cases filed against a respondent after a termination of that "
                     "court, by month filed: a sign of closing too early."),
    "page_admin": ("用户与数据", "Users and data"),
    "no_match": ("没有符合筛选条件的案件。", "No case matches these filters."),
    "not_ranked": ("未排名：本期已结 {n} 件，少于排名所需的 {m} 件。",
                   "Not ranked: {n} cases concluded this period, fewer than the {m} needed."),
    "not_ranked_no_rate": ("未排名：本期已结 {n} 件，但申请金额合计为 0，执行到位率无法计算。",
                           "Not ranked: {n} cases concluded this period, but nothing was "
                           "applied for, so there is no amount recovery rate."),
    "access_denied": ("无权查看该法院的数据，已显示本院。",
                      "You may not see that court; showing your own court."),
    # every metric's name, from its declaration (supervision/domain/metric_declarations.py)
    **metric_declarations.labels(),
    "unranked": ("未排名", "unranked"),
    "transferred_note": ("其中 {n} 件已移送/指定执行：在此列出，但不计入任何比率。",
                         "{n} of them were transferred: listed here, left out of every rate."),
    "national_rank": ("全国排名", "National rank"),
    "cutoff": ("前{k}名线", "Top-{k} cutoff"),
    "gap_cases": ("距名线差距（今日，件）", "Gap to the cutoff today (cases)"),
    "gap_amount": ("距名线差距（今日，万元）", "Gap to the cutoff today (10k yuan)"),
    "pending": ("未结", "Pending"),
    "unreachable_by_year_end": ("按年底预测还需执行完毕 {extra} 件，多于现有未结案件 {pending} 件。",
                                "By the year-end projection it needs {extra} more full-performance "
                                "conclusions, more than its {pending} pending cases."),
    "projection": ("年底预测", "Year-end projection"),
    "projection_text": (
        "按近{weeks}周进度（每周结案 {wc:.1f} 件，其中执行完毕 {wf:.1f} 件），预计年底{metric} {rate}，"
        "全国排名约第 {rank} 位（预计前{k}名线 {cut}）。",
        "At its pace of the last {weeks} weeks ({wc:.1f} conclusions a week, {wf:.1f} by full "
        "performance) it would end the year at {rate} ({metric}), about rank {rank} "
        "(projected top-{k} cutoff {cut})."),
    "needed_amount_text": (
        "按各院现有进度推算，要在12月31日前达到预计的前{k}名线，年底前还需多执行到位 {extra} 万元；"
        "平均到剩余 {weeks:.1f} 周，即在本院现有进度之外每周再多执行到位 {per} 万元。",
        "With every court's pace projected, reaching the projected top-{k} cutoff by 31 "
        "December needs {extra} (10k yuan) more recovered; over the {weeks:.1f} weeks left, "
        "that is {per} (10k yuan) a week on top of the court's current pace."),
    "needed_text": (
        "按各院现有进度推算，要在12月31日前达到预计的前{k}名线，年底前还需执行完毕 {extra} 件；"
        "平均到剩余 {weeks:.1f} 周，即在本院现有进度之外每周再多执行完毕 {per:.1f} 件。",
        "With every court's pace projected, reaching the projected top-{k} cutoff by 31 "
        "December needs {extra} more full-performance conclusions; over the {weeks:.1f} weeks "
        "left, that is {per:.1f} a week on top of the court's current pace."),
    "needed_text_last_day": (
        "按各院现有进度推算，要达到预计的前{k}名线，还需执行完毕 {extra} 件（今天是本年最后一天）。",
        "With every court's pace projected, reaching the projected top-{k} cutoff needs {extra} "
        "more full-performance conclusions (today is the last day of the year)."),
    "needed_amount_text_last_day": (
        "按各院现有进度推算，要达到预计的前{k}名线，还需多执行到位 {extra} 万元（今天是本年最后一天）。",
        "With every court's pace projected, reaching the projected top-{k} cutoff needs {extra} "
        "(10k yuan) more recovered (today is the last day of the year)."),
    "needed_none": ("按现有进度预计年底可保持在前{k}名。",
                    "At its current pace it stays within the top {k} at year end."),
    "types_title": ("五类特定案件{metric}与前{k}名线", "Five specific case types vs the top-{k} cutoff"),
    "furthest": ("差距最大：{type}（排名第 {rank} 位，差 {gap} 件）。",
                 "Furthest behind: {type} (rank {rank}, {gap} cases short)."),
    "furthest_amount": ("差距最大：{type}（排名第 {rank} 位，差 {gap} 万元）。",
                        "Furthest behind: {type} (rank {rank}, {gap} (10k yuan) short)."),
    "types_none_ranked": ("五类特定案件均未达到排名所需的已结案件数。",
                          "No specific type has enough concluded cases to be ranked."),
    "furthest_none": ("五类案件中已排名的类型均在前{k}名。",
                      "Every ranked specific type is within the top {k}."),
    "province_courts": ("全省法院{metric}（前{k}名线）", "Courts of the province: {metric} vs the top-{k} cutoff"),
    "province_ranking": ("各省（区、市）{metric}排名", "Province ranking ({metric})"),
    "national_table": ("全国法院排名（前{top}名及本院）", "National ranking (top {top} and own courts)"),
    "core_title": ("“3+1”核心指标", "The 3+1 core indices"),
    "backward_title": ("落后指标", "Backward indices"),
    "no_backward": ("无落后指标。", "No backward index."),
    "trend_title": ("每周实际执行率与全国排名", "Weekly rate and national rank"),
    "pending_type_age": ("未结案件（按类型与时长）", "Pending cases by type and age"),
    "largest_pending": ("标的额最大的未结案件", "Largest-value pending cases"),
    "download_xlsx": ("下载简报（XLSX）", "Download the brief (XLSX)"),
    "print_hint": ("打印：浏览器菜单“打印”（A4 纵向），侧栏不会打印。",
                   "Print from the browser (A4 portrait); the sidebar is not printed."),
    "triage_title": ("未结案件：复杂程度 × 优先级", "Pending cases: complexity × priority"),
    "timetable_title": ("办案时间表：按目标结案周", "Timetable: pending cases by target close week"),
    "judges_title": ("承办人工作量", "Workload by judge"),
    "cases_of": ("所选案件", "Selected cases"),
    "click_hint": ("点击图中柱形可列出对应案件。", "Click a bar to list its cases."),
    "overdue": ("已超6个月法定期限", "Past the 6-month limit"),
    "due_30": ("30日内到期", "Due within 30 days"),
    "explorer_extra": ("更多筛选", "More filters"),
    "closing_method": ("结案方式", "Closing method"),
    "respondent_kind": ("被执行人类型", "Respondent kind"),
    "filed_range": ("立案日期", "Filed between"),
    "closed_range": ("结案日期", "Closed between"),
    "search": ("案号/被执行人", "Case number / respondent"),
    "rows_found": ("共 {n} 件，标的额合计 {v} 万元。", "{n} cases, {v} (10k yuan) in all."),
    "page_no": ("页码", "Page"),
    "download_csv": ("下载CSV", "Download CSV"),
    "download_xlsx_cases": ("下载XLSX", "Download XLSX"),
    "export_capped": ("下载限前 {n} 行。", "Downloads hold the first {n} rows."),
    "breakdown_title": ("按类型与状态（点击筛选）", "By type and status (click to filter)"),
    "users": ("用户", "Users"),
    "add_user": ("新增用户", "Add a user"),
    "import_data": ("导入数据", "Import data"),
    "username": ("用户名", "Username"),
    "display_name": ("姓名", "Display name"),
    "role": ("角色", "Role"),
    "court_code_help": ("院长：本院代码；督导组/分析员：所辖高级法院代码",
                        "president: own court; supervisor/analyst: the higher court"),
    "password": ("密码", "Password"),
    "new_password": ("新密码", "New password"),
    "disable_user": ("停用用户（立即结束其登录）", "Disable a user (ends their sessions now)"),
    "enable_user": ("启用用户", "Enable a user"),
    "set_password": ("重设密码", "Reset a password"),
    "second_factor": ("动态口令（第二因素）", "Second factor (one-time codes)"),
    "second_factor_caption": ("督导组和管理员须绑定动态口令方可在生产模式下登录。绑定后请用身份验证器应用扫描二维码；"
                              "二维码只显示这一次，重新绑定会使旧的失效。",
                              "Supervisors and administrators need one to log in in "
                              "production. After enrolling, scan the QR code with an "
                              "authenticator app; it is shown only this once, and enrolling "
                              "again makes the old one stop working."),
    "totp_enroll": ("绑定（生成新密钥）", "Enroll (new secret)"),
    "totp_reset": ("解除绑定", "Remove"),
    "totp_scan": ("{user} 的动态口令：请用身份验证器应用扫描", "{user}'s second factor: scan "
                  "it with an authenticator app"),
    "done": ("已完成：{what}", "Done: {what}"),
    "upload_kind": ("{kind}文件", "{kind} file"),
    "importing": ("正在导入 {files} …", "Importing {files} …"),
    "import_result": ("{file}：{rows} 行，已入库 {stored} 行（新增 {new}，更新 {updated}，未变 {unchanged}），"
                      "拒收 {rejected} 行。", "{file}: {rows} rows, {stored} stored ({new} new, "
                      "{updated} updated, {unchanged} unchanged), {rejected} rejected."),
    "import_failed": ("导入失败，数据库未改变：{error}", "Import failed; the database is unchanged: {error}"),
    "download_rejects": ("下载拒收明细 {file}", "Download the rejects of {file}"),
    "audit_title": ("审计日志（只可追加）", "Audit trail (append-only)"),
    "audit_event": ("事件", "Event"),
    "audit_actor": ("操作人", "Actor"),
    "download_audit": ("下载审计日志（CSV）", "Download the audit trail (CSV)"),
    "data_freshness": ("数据截至 {latest}，最近导入 {imported}。",
                       "Data up to {latest}; last imported {imported}."),
    "all_courts": ("全部法院", "All courts"),
    "all_courts_help": ("勾选：查询您可查看的全部法院；不勾选：只查侧栏所选法院。",
                        "Checked: every court you may see; unchecked: the sidebar's court."),
    "clear_drill": ("清除图表筛选", "Clear the chart filter"),
    # an index's drill-through in the explorer (pages/explorer.py)
    "index_filter": ("指标：{index}", "Index: {index}"),
    "index_scope": ("拉低「{index}」的案件 · {court} · {start} 至 {end}",
                    "Cases holding down “{index}” · {court} · {start} to {end}"),
    "index_rate_note": ("计入该指标、未达到其要求的案件：分母与分子之差 {gap}（按该指标的同一口径逐案选出）。",
                        "Cases counted by the index that do not meet it: denominator − "
                        "numerator = {gap} (selected case by case by the index's own "
                        "definition)."),
    "index_petitions_note": ("本期收到、截至 {end} 仍未办结的信访共 {gap} 件，涉及下列案件。",
                             "{gap} petitions received this period and not resolved by {end}, "
                             "on the cases below."),
    "index_amount_note": ("本期已结、执行到位金额少于申请金额的案件：合计少到位 {gap} 万元。",
                          "Cases concluded this period that recovered less than applied: "
                          "{gap} (10k yuan) short in all."),
    "index_intersect": ("仅列出同时符合其他筛选条件的案件（交集）：{filters}。清除这些筛选即为该指标的完整名单。",
                        "Only the cases that also match the other filters (intersection): "
                        "{filters}. Clear them for the index's full list."),
    "clear_index": ("清除指标", "Clear the index"),
    "about_sheet": ("说明", "About"),
    "exported_by": ("导出：{user}，{at}", "Exported by {user} at {at}"),
    "prepare_xlsx": ("生成XLSX（{n} 行）", "Build the XLSX ({n} rows)"),
    "preparing": ("正在生成…", "Building…"),
    "province": ("省份", "Province"),
    "courts_n": ("法院数", "Courts"),
    "legend_selected": ("本院", "This court"),
    "legend_ranked": ("其他已排名法院", "Other ranked courts"),
    "legend_meets": ("已进入前{k}名", "Within the top {k}"),
    "legend_below": ("未进入前{k}名", "Outside the top {k}"),
    "province_pooled": ("全省（合计）", "Province (pooled)"),
    # the official position first, a filtered subset only as an analysis (H1)
    "official_title": ("官方口径（全部案件）", "Official position (all cases)"),
    "subset_title": ("筛选子集分析（不作达标判断）",
                     "Analysis of the filtered subset (no target verdict)"),
    "subset_line": ("筛选子集（{subset}）中：第 {rank} / {n} 名，{metric} {rate}",
                    "Within the filtered subset ({subset}): rank {rank} of {n}, {metric} {rate}"),
    "subset_unranked": ("筛选子集（{subset}）中：未排名（已结 {n} 件，少于排名所需的 {m} 件），{metric} {rate}",
                        "Within the filtered subset ({subset}): not ranked ({n} concluded, fewer "
                        "than the {m} needed), {metric} {rate}"),
    "subset_note": ("全国目标按本院本期全部案件计算，筛选子集没有自己的目标：此处仅作分析。",
                    "The national target counts all of the court's cases of the period; a "
                    "filtered subset has no target of its own: this is an analysis only."),
    "subset_core": ("筛选子集（{subset}）中的“3+1”指标：{values}",
                    "The 3+1 indices within the filtered subset ({subset}): {values}"),
    "ontrack_title": ("是否达标：{metric}全国前{k}名", "On track? {metric}, top {k} nationally"),
    "ontrack_sheet": ("是否达标（官方口径）", "On track (official)"),
    "subset_sheet": ("筛选子集分析", "Filtered subset"),
    "verdict": ("结论", "Verdict"),
    "clause_sep": ("；", "; "),
    "sentence_end": ("。", "."),
    "list_sep": ("；", "; "),
    "no_courts_in_scope": ("案件数据中没有您可以查看的法院（您所在的法院不在已导入的数据中）。请联系管理员。",
                           "The case data holds no court you may see (your court is not in the "
                           "imported data). Please contact the administrator."),
    # the items of one list (names, reasons) and a label before its value
    "enum_sep": ("、", ", "),
    "label_sep": ("：", ": "),
    "comma": ("，", ", "),
    "paren_open": ("（", " ("),
    "paren_close": ("）", ")"),
    "projected_rank": ("年底预测排名", "Projected year-end rank"),
    "ranked_courts": ("已排名法院数", "Ranked courts"),
    "pending_now": ("现有未结（件）", "Pending now (cases)"),
    "brief_filter_scope": ("达标判断为官方口径（全部案件）；筛选仅用于子集分析与未结案件部分",
                           "The on-track figures are the official position (all cases); the "
                           "filters apply only to the subset analysis and the pending-case "
                           "sections"),
    "ontrack_in": ("目前在前{k}名内（第 {rank} 名）", "Within the top {k} now (rank {rank})"),
    "ontrack_out": ("目前未进入前{k}名（第 {rank} 名，差 {gap} 件）",
                    "Not within the top {k} now (rank {rank}, {gap} cases short)"),
    "ontrack_out_amount": ("目前未进入前{k}名（第 {rank} 名，差 {gap} 万元）",
                           "Not within the top {k} now (rank {rank}, {gap} (10k yuan) short)"),
    "ontrack_loses": ("按近{weeks}周进度预计年底第 {rank} 名，不在前{k}名内",
                      "at its pace of the last {weeks} weeks it ends the year at rank "
                      "{rank}, outside the top {k}"),
    "ontrack_amount_needed": ("按近{weeks}周进度推算，在现有进度之外，年底前还需多执行到位 {extra} 万元",
                              "at its pace of the last {weeks} weeks, it needs {extra} (10k "
                              "yuan) more recovered by 31 December beyond that pace"),
    "ontrack_out_nogap": ("目前未进入前{k}名（第 {rank} 名）",
                          "Not within the top {k} now (rank {rank})"),
    "ontrack_keeps": ("按近{weeks}周进度预计年底在前{k}名内",
                      "at its pace of the last {weeks} weeks it ends the year within the top {k}"),
    "ontrack_reachable": ("按近{weeks}周进度推算，在现有进度之外，年底前还需多执行完毕 {extra} 件（现有未结 {pending} 件），"
                          "不多于现有未结案件数（只是件数的比较；这些案件预计能执行完毕多少，见达标路线图）",
                          "at its pace of the last {weeks} weeks, it needs {extra} more "
                          "full-performance conclusions by 31 December beyond that pace "
                          "({pending} cases pending now), not more than its pending cases (a "
                          "count only: how many of them are expected to end in full "
                          "performance is the roadmap's estimate)"),
    "ontrack_unreachable": ("按近{weeks}周进度推算，在现有进度之外，年底前还需多执行完毕 {extra} 件（现有未结 {pending} 件），多于现有未结案件数",
                            "at its pace of the last {weeks} weeks, it needs {extra} more "
                            "full-performance conclusions by 31 December beyond that pace "
                            "({pending} cases pending now), more than its pending cases"),
    "court_vs_province": ("本院与全省{metric}（前{k}名线）", "This court and the province: {metric} vs the top-{k} cutoff"),
    "gap_explained": ("差距（件）为按今日数据计算；年底预测中的件数另计入到年底前的进度，二者不同。",
                      "The gap is on today's counts; the year-end figure also allows for the pace "
                      "until 31 December, so the two differ."),
    "open_brief_hint": ("点击柱形或表格中的一行可打开该院的督导简报。",
                        "Click a bar or a table row to open that court's brief."),
    "see_cases": ("查看案件", "See the cases"),
    "related_scope": ("范围：{scope}内您可查看的全部法院（不限于所选法院）。",
                      "Scope: every court you may see in {scope} (not only the selected court)."),
    "no_data_period": ("本期该院没有可计算的指标（筛选后无案件或未排名）。",
                       "Nothing to measure for this court this period (no cases after the "
                       "filters, or unranked)."),
    "backward_click": ("点击一行可在案件查询中查看拉低该指标的案件。",
                       "Click a row to see, in the explorer, the cases holding that index "
                       "down."),
    "rank_week_before": ("上周排名", "Rank a week before"),
    "age": ("未结时长", "Pending for"),
    "no_pending": ("筛选条件下没有未结案件。", "No pending case under these filters."),
    "download_pdf": ("下载简报（PDF，A4）", "Download the brief (PDF, A4)"),
    "related_click": ("点击一行查看该被执行人的全部案件。", "Click a row to see all of that respondent's cases."),
    "related_scope_short": ("您可查看的全部法院", "every court you may see"),
    "count": ("件数", "Cases"),
    "value_wan": ("标的额（万元）", "Value (10k yuan)"),
    "rate": ("比率", "Rate"),
    "rank": ("排名", "Rank"),
    "meets": ("达标", "Meets"),
    "status": ("状态", "Status"),
    "reason": ("原因", "Reason"),
    "threshold": ("标准", "Threshold"),
    "province_value": ("全省", "Province"),
    "value": ("本院", "Court"),
    "week": ("周", "Week"),
    "judge": ("承办人", "Judge"),
    "related_title": ("同一被执行人的关联案件（协调办理）",
                      "Related cases against one respondent (to coordinate)"),
}

# Hover help of every figure: definition, formula, threshold (docs/metrics.md in short).
# The metrics' help is their declaration's (supervision/domain/metric_declarations.py); the rest
# are the help of figures derived from them. Target ranks, week counts and table sizes are
# placeholders, never digits in a sentence.
HELP: dict[str, tuple[str, str]] = {
    **metric_declarations.help_texts(),
    "national_rank": (
        "全国排名 = 1 + 比率严格高于本院的已排名法院数（并列同名次）。本期已结案件达到最低件数才排名。",
        "National rank = 1 + ranked courts with a strictly higher rate (ties share a rank). "
        "A court is ranked once enough cases are concluded this period."),
    "cutoff": (
        "前{k}名线 = 已排名法院中第{k}高的比率；达到此值即进入前{k}名。",
        "Top-{k} cutoff = the {k}-th highest rate among ranked courts; reaching it puts a "
        "court in the top {k}."),
    "gap_cases": (
        "距名线差距（今日，件）= 若今天结算，还需再执行完毕多少件未结案件才能达到今天的前{k}名线："
        "⌈(名线 × 已结 − 执行完毕) ÷ (1 − 名线)⌉，每件同时计入分子和分母。"
        "与“年底前还需执行完毕（件）”不同：后者按本院和各院近{pace_weeks}周进度推算到12月31日；"
        "也与达标路线图的“计划缺口（件）”不同：后者是年底所需减去全部未结案件的期望执行完毕数。",
        "Gap to the cutoff today (cases) = if the year ended today, how many more pending "
        "cases must end in full performance to reach today's top-{k} cutoff: ⌈(cutoff × "
        "concluded − fully performed) ÷ (1 − cutoff)⌉; each adds one to both parts of the "
        "rate. \"Still needed by 31 December (cases)\" differs: it projects this court's and "
        "every court's pace of the last {pace_weeks} weeks to 31 December; so does the "
        "roadmap's \"Plan shortfall (cases)\": that need minus what every pending case is "
        "expected to yield."),
    "gap_amount": (
        "距名线差距（今日，万元）= 若今天结算，本期已结案件还需再执行到位多少金额才能达到今天的前{k}名线"
        "（执行到位率 = 到位金额 ÷ 申请金额）：⌈名线 × 申请金额 − 到位金额⌉，按百元向上取整显示。",
        "Gap to the cutoff today (10k yuan) = if the year ended today, how much more the "
        "cases concluded this period must recover to reach today's top-{k} cutoff (amount "
        "recovery rate = recovered ÷ applied): ⌈cutoff × applied − recovered⌉, shown rounded "
        "up to the hundred yuan."),
    "year_end_need_amount": (
        "年底前还需执行到位（万元）= 按本院和各院近{pace_weeks}周进度推算到12月31日后，本院在现有进度之外"
        "还需再执行到位多少金额，才能达到预计的年底前{k}名线（执行到位率）。",
        "Still to recover by 31 December (10k yuan) = with this court's and every court's "
        "pace of the last {pace_weeks} weeks projected to 31 December, how much more, on top "
        "of this court's pace, must be recovered to reach the projected year-end top-{k} "
        "cutoff (amount recovery rate)."),
    "year_end_need": (
        "年底前还需执行完毕（件）= 按本院和各院近{pace_weeks}周进度推算到12月31日后，本院在现有进度之外"
        "还需再执行完毕多少件，才能达到预计的年底前{k}名线（已计入各院到年底的进度）。",
        "Still needed by 31 December (cases) = with this court's and every court's pace of "
        "the last {pace_weeks} weeks projected to 31 December, how many more full-performance "
        "conclusions, on top of this court's pace, reach the projected year-end top-{k} "
        "cutoff (every court's pace to year end allowed for)."),
    "plan_shortfall": (
        "计划缺口（件）= 年底前还需执行完毕的件数 − 全部未结案件的期望执行完毕数（按可能性合计，不小于0）："
        "即使把全部未结案件都推进，预计仍差的件数。0 表示按路线图推进可以达到。",
        "Plan shortfall (cases) = still needed by 31 December − the full performances "
        "expected from every pending case (the sum of likelihoods; at least 0): what even "
        "pushing every pending case is expected to leave short. 0: the roadmap can reach it."),
    "needed_per_week": (
        "每周还需 = 按近{pace_weeks}周进度推算到12月31日的差距 ÷ 剩余周数（在现有进度之外）。",
        "Needed per week = the gap on the counts projected to 31 December at the last "
        "{pace_weeks} weeks' pace ÷ weeks left (on top of that pace)."),
    "backward": (
        "落后指标：低于标准、低于全省，或全国排名较上周下降的指标。尚未进入目标名次是一种持续状态，另行列出，不算落后。",
        "Backward index: below its threshold, below the province, or a national rank that "
        "fell since last week. Not yet within the target rank is a standing state, shown "
        "apart and not counted as backward."),
}


class _Placeholders(dict):
    """Named constants a help text may name, and the caller's values; a placeholder no one
    fills stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def help_text(metric: str, **fmt: object) -> str:
    zh, en = HELP[metric]
    text = en if lang() == "en" else zh
    return text.format_map(_Placeholders(pace_weeks=PACE_WEEKS, **fmt))


# Values shown in tables and charts. The vocabulary (closing methods, priorities, roles,
# age bands, ledger and escalation statuses …) comes from supervision.domain.vocabulary, the metrics'
# names from supervision.domain.metric_declarations; the rest are this UI's own words.
ENUMS: dict[str, tuple[str, str]] = {
    **vocabulary.labels(),
    "courts": ("法院", "courts"), "case_types": ("案件类型", "case types"),
    "cases": ("案件", "cases"), "petitions": ("信访", "petitions"),
    # every metric's name, from its declaration (supervision/domain/metric_declarations.py)
    **metric_declarations.labels(),
    "below_threshold": ("低于标准", "below threshold"),
    "below_province": ("低于全省", "below the province"),
    "rank_fell": ("全国排名较上周下降", "national rank fell since last week"),
    "below_cutoff": ("未进入目标名次（持续状态，不算落后）",
                     "outside the target rank (a standing state, not backward)"),
    # a 3+1 index's status, in the backward vocabulary (views._status); ranking rows say
    # their standing instead (in_target / outside_target / unranked, LABELS)
    "green": ("达到标准", "meets its threshold"),
    "amber": ("低于标准（不低于全省）", "below its threshold (not below the province)"),
    "red": ("低于标准且低于全省", "below its threshold and the province"),
    "grey": ("无数据", "nothing to measure"),
    "yes": ("是", "yes"), "no": ("否", "no"),
    # closing conditions of a qualified 终本
    "notice_served": ("执行通知", "notice served"),
    "consumption_restricted": ("限制消费", "consumption restricted"),
    "dishonest_listed": ("纳入失信", "dishonest-listed"),
    "network_inquiry_done": ("网络查控", "network inquiry"),
    "site_investigation_done": ("现场调查", "site investigation"),
    "applicant_informed": ("告知申请人", "applicant informed"),
    "closed_within_3_months": ("立案不满3个月", "closed within 3 months"),
    # audit trail events
    "login_success": ("登录成功", "login"), "login_failure": ("登录失败", "failed login"),
    "login_locked": ("账号锁定", "account locked"), "logout": ("退出登录", "logout"),
    "login_refused": ("登录被拒", "login refused"),
    "totp_enrolled": ("绑定动态口令", "second factor enrolled"),
    "totp_reset": ("解除动态口令", "second factor removed"),
    "session_ended": ("会话结束", "session ended"), "user_added": ("新增用户", "user added"),
    "user_disabled": ("停用用户", "user disabled"), "user_enabled": ("启用用户", "user enabled"),
    "password_changed": ("修改密码", "password changed"), "export": ("导出", "export"),
    "import": ("导入", "import"), "import_failed": ("导入失败", "import failed"),
    "visit_recorded": ("记录督导", "visit recorded"),
    "ledger_item_added": ("新增督导意见", "opinion added"),
    "ledger_item_updated": ("更新整改进展", "item updated"),
    "typical_case_marked": ("标记典型案例", "typical case marked"),
    "escalation_changed": ("联动处置状态", "escalation changed"),
    "backup_made": ("备份", "backup made"), "backup_restored": ("恢复备份", "backup restored"),
    "drop_import": ("投放目录导入", "drop-folder import"),
    "weekly_published": ("发布周通报", "weekly report published"),
    # criteria for the joint-action mechanism
    "pending_long": ("长期未结", "pending long"), "large_value": ("标的额大", "large value"),
    "property_unrealised": ("有财产未执结", "property not realised"),
    "many_petitions": ("多次信访", "repeated petitions"),
    # (ledger and escalation statuses: supervision.domain.vocabulary, in vocabulary.labels() above)
}


_thread = threading.local()


def _no_session() -> str | None:
    return None


# the session's language, as the UI knows it (supervision/ui/__init__.py sets this reader):
# the words need no UI module, so the weekly report and the PDF are built without Streamlit
_session_language: Callable[[], str | None] = _no_session


def read_session_language_with(reader: Callable[[], str | None]) -> None:
    """Tell the words where the session's language is kept (the UI calls this once)."""
    global _session_language
    _session_language = reader


def lang() -> str:
    """The UI's language: the session's, or the one a deferred download was made in."""
    return getattr(_thread, "language", None) or _session_language() or "zh"


def deferred(build: Callable[..., T]) -> Callable[..., T]:
    """`build` to run later (a download built when clicked, on the server's event thread,
    where the session is not known) in the language of this run."""
    language = lang()

    def run(*args: object, **kwargs: object) -> T:
        _thread.language = language
        try:
            return build(*args, **kwargs)
        finally:
            _thread.language = None
    return run


def text(key: str, language: str, **fmt: object) -> str:
    """A label in the given language ("zh" or "en"), outside any session (CLI, reports)."""
    zh, en = LABELS[key]
    label = en if language == "en" else zh
    return label.format(**fmt) if fmt else label


def enum_names_in(language: str) -> dict[str, str]:
    """Every vocabulary code -> its label in the given language."""
    i = 1 if language == "en" else 0
    return {code: pair[i] for code, pair in ENUMS.items()}


def t(key: str, **fmt: object) -> str:
    return text(key, lang(), **fmt)


def enum_names() -> dict[str, str]:
    """Every vocabulary code -> its label in the current language (read on the page thread:
    polars runs expressions on its own threads, where the session is not known)."""
    return enum_names_in(lang())


def coded(column: str, names: dict[str, str], alias: str | None = None) -> pl.Expr:
    """A column of codes shown by name (vectorized); an unknown code shows as itself."""
    return (pl.col(column).replace_strict(names, default=pl.col(column), return_dtype=pl.String)
            .alias(alias or column))


def enum_column(column: str, alias: str | None = None) -> pl.Expr:
    """A column of vocabulary codes (status, priority, …) in the current language."""
    return coded(column, enum_names(), alias)


def enum(value: str | None) -> str:
    if value is None:
        return "—"
    pair = ENUMS.get(value)
    if pair is None:
        return value
    return pair[1] if lang() == "en" else pair[0]

COLUMNS: dict[str, tuple[str, str]] = {
    "username": ("用户名", "Username"), "display_name": ("姓名", "Name"),
    "published_at": ("发布时间", "Published at"), "published_by": ("发布人", "Published by"),
    "data_latest": ("数据截至", "Data up to"), "data_version": ("数据版本", "Data version"),
    "pdf_sha256": ("PDF SHA-256", "PDF SHA-256"), "xlsx_sha256": ("XLSX SHA-256", "XLSX SHA-256"),
    "language": ("语言", "Language"), "as_of": ("截至日期", "As of"),
    "title": ("标题", "Title"),
    "run": ("批次", "Run"), "file": ("文件", "File"), "table": ("数据表", "Table"),
    "state": ("结果", "Outcome"), "rows": ("行数", "Rows"), "stored": ("已存", "Stored"),
    "rejected": ("拒收", "Rejected"), "error": ("原因", "Reason"),
    "moved_to": ("移至", "Moved to"),
    "email": ("邮箱", "Email"), "role": ("角色", "Role"), "disabled": ("已停用", "Disabled"),
    "second_factor": ("动态口令", "Second factor"),
    "at": ("时间", "Time"), "actor": ("操作人", "Actor"), "event": ("事件", "Event"),
    "target": ("对象", "Target"), "detail": ("详情", "Detail"), "id": ("序号", "No."),
    "case_number": ("案号", "Case number"), "court_code": ("法院", "Court"),
    "recovered_wan": ("到位金额（万元）", "Recovered (10k yuan)"),
    "case_kind": ("案件类别", "Kind"), "case_type": ("案件类型", "Case type"),
    "filed_on": ("立案日期", "Filed"), "closed_on": ("结案日期", "Closed"),
    "status": ("状态", "Status"), "amount_wan": ("标的额（万元）", "Value (10k yuan)"),
    "recovered_yuan": ("到位金额（元）", "Recovered (yuan)"),
    "has_property": ("有财产", "Has property"), "priority": ("优先级", "Priority"),
    "complexity": ("复杂程度", "Complexity"), "respondent_name": ("被执行人", "Respondent"),
    "respondent_kind": ("被执行人类型", "Respondent kind"), "judge": ("承办人", "Judge"),
    "respondent_id": ("证件号", "ID number"),
    "statutory_deadline": ("法定期限", "Statutory deadline"),
    "days_to_deadline": ("距期限（天）", "Days to deadline"),
    "target_close_on": ("目标结案日", "Target close date"),
    "months_to_close": ("立案至终本（月）", "Months filed to closed"),
    "petitions": ("信访", "Petitions"), "days_pending": ("未结天数", "Days pending"),
    "settlement_on": ("和解日期", "Agreed"), "settlement_due_on": ("履行期限", "Due"),
    "long_term": ("长期履行", "Long-term"), "days_overdue": ("逾期天数", "Days overdue"),
    "settlement_ruling_on": ("结案裁定日期", "Ruling"),
    "closed_without_ruling": ("结案未见裁定", "Closed without ruling"),
}


def column_header(column: str) -> str:
    """A column's header in the current language."""
    pair = COLUMNS.get(column)
    return column if pair is None else pair[1 if lang() == "en" else 0]


def headers(frame):  # noqa: ANN001, ANN201 - a polars frame in, the same frame out
    """The frame with its column names in the current language (display only)."""
    i = 1 if lang() == "en" else 0
    return frame.rename({c: COLUMNS[c][i] for c in frame.columns if c in COLUMNS})
