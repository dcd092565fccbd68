"""The kinds of things (枚举) of property-service quality management, by stored value.

Plain ``StrEnum``s, apart from the pydantic entities (``model/entities.py`` imports and
re-exports them) so that a quick read, such as ``pqm inspection list``, labels them
without loading pydantic.
"""

from __future__ import annotations

from enum import StrEnum


class ProjectKind(StrEnum):
    """Kind of property project (物业项目类型)."""

    RESIDENTIAL = "residential"  # 住宅小区
    OFFICE = "office"  # 写字楼
    SALES_SITE = "sales-site"  # 案场
    OTHER = "other"  # 其他 (园区, 商业 …)


class AreaType(StrEnum):
    """Type of an area (区域类型); checklist sections name the types they apply to."""

    GATE = "gate"  # 出入口/岗亭
    LOBBY = "lobby"  # 大堂
    LIFT = "lift"  # 电梯
    CORRIDOR = "corridor"  # 楼层/楼道
    CAR_PARK = "car-park"  # 停车场
    PLANT_ROOM = "plant-room"  # 设备机房
    FIRE_CONTROL = "fire-control"  # 消防监控中心
    GREEN = "green"  # 绿化区域
    PUBLIC = "public"  # 公共区域/道路
    SERVICE_CENTER = "service-center"  # 客服中心
    OFFICE = "office"  # 项目办公室 (资料, 资产)
    WAREHOUSE = "warehouse"  # 仓库
    RESTROOM = "restroom"  # 卫生间
    SALES_HALL = "sales-hall"  # 销售大厅/接待区
    SHOW_FLAT = "show-flat"  # 样板房
    PERIMETER = "perimeter"  # 周界


class Role(StrEnum):
    """Role of a person in the organisation (角色); a person may hold several."""

    INSPECTOR = "inspector"  # 品质督导
    QUALITY_GROUP_LEADER = "quality-group-leader"  # 品管组长
    QUALITY_MANAGER = "quality-manager"  # 品质部经理
    PROJECT_MANAGER = "project-manager"  # 项目经理
    DEPARTMENT_HEAD = "department-head"  # 部门主管
    CITY_GENERAL_MANAGER = "city-general-manager"  # 城市总经理
    ADMINISTRATOR = "administrator"  # 系统管理员


class Severity(StrEnum):
    """Severity of an item or finding (严重程度); red-line findings escalate at once."""

    NORMAL = "normal"  # 一般
    SERIOUS = "serious"  # 严重
    RED_LINE = "red-line"  # 红线


class InspectionKind(StrEnum):
    """Kind of inspection (检查类型)."""

    SELF = "self"  # 项目自检
    CROSS = "cross"  # 交叉检查
    MONTHLY = "monthly"  # 城市公司月检
    SPECIAL = "special"  # 专项检查
    NIGHT = "night"  # 夜间查岗
    MYSTERY = "mystery"  # 神秘访客
    REINSPECTION = "re-inspection"  # 复检


class InspectionStatus(StrEnum):
    """Lifecycle of an inspection (检查状态)."""

    DRAFT = "draft"  # 进行中
    COMPLETED = "completed"  # 已完成, 待签字
    SIGNED = "signed"  # 已签字, 锁定


class Result(StrEnum):
    """Result of one item in one area (检查结果)."""

    PASS = "pass"  # 合格
    FAIL = "fail"  # 不合格
    NA = "na"  # 不适用


class RectificationStatus(StrEnum):
    """State of a rectification item (整改状态)."""

    OPEN = "open"  # 待整改
    REPLIED = "replied"  # 已回复
    CLOSED = "closed"  # 已关闭 (复检通过)
    VOIDED = "voided"  # 已撤销 (申诉成立)


class NoteKind(StrEnum):
    """Kind of a supervision-log note (品质监督记录)."""

    DIFFICULTY = "difficulty"  # 困难
    INCIDENT = "incident"  # 典型事件
    COMPLAINT = "complaint"  # 投诉
    SUGGESTION = "suggestion"  # 建议
    GOOD_PRACTICE = "good-practice"  # 好的做法
