"""What the money stage's demo is made of: the store's accessories and value-added
packages, the words consultants and approvers write, and the stories (one customer's
negotiation each) that contracts.demo.seed plays through the services."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.enums import ApprovalDecision, ContractStatus, PackageKind, PaymentChannel
from contracts.enums import TradeInCondition as Condition
from dealership.enums import Powertrain

LANGUAGE = "zh-hans"
ACCESSORIES = [  # code, name, price, on sale
    ("MAT", "全车脚垫", "680", True), ("DVR", "行车记录仪", "1280", True),
    ("PPF", "隐形车衣", "6800", True), ("TINT", "太阳膜", "2800", True),
    ("TOW", "挂车钩", "2200", True), ("TRUNK", "后备箱垫", "380", True),
    ("WALLBOX", "家用充电桩（含安装）", "3999", True), ("CHILD", "儿童安全座椅", "1680", True),
    ("ROOF", "车顶行李架", "1980", True), ("MUD", "挡泥板", "260", True),
    ("CDX", "CD换碟机", "1500", False),
]
PACKAGES = [  # name, kind, price (0: a gift), description
    ("首保免费", PackageKind.MAINTENANCE, "0", "首次保养工时与机油机滤全免"),
    ("3年6次免费保养", PackageKind.MAINTENANCE, "2980", "3年内6次常规保养，含工时与材料"),
    ("洗车券20张", PackageKind.WASH, "0", "本店精洗20次，一年内有效"),
    ("延长质保2年", PackageKind.WARRANTY, "3600", "厂家质保期满后延长2年或5万公里"),
    ("道路救援3年", PackageKind.OTHER, "0", "全国24小时道路救援"),
]
TRADE_INS = [  # make, model, year, km, condition, offered
    ("大众", "朗逸 1.6L 自动舒适版", 2016, 98_000, Condition.GOOD, "42000"),
    ("本田", "飞度 1.5L 自动", 2014, 126_000, Condition.FAIR, "23000"),
    ("日产", "轩逸 1.6L XL", 2018, 67_000, Condition.EXCELLENT, "56000"),
    ("别克", "英朗 1.5L 自动", 2015, 142_000, Condition.POOR, "18000"),
]
APPRAISERS = ["刘建华", "宋志明"]
FIRST_NOTES = ["", "", "首次报价，客户对比了雅阁", "客户要求送精品，按标准报价"]
REVISION_NOTES = ["客户对比了竞品落地价，要求再让一些", "客户家人到店，愿意当天交定金",
                  "加送精品后客户仍觉得贵，调整优惠", "客户拿到隔壁店报价，申请最后一次优惠"]
FLOOR_REASON = "客户拿到比亚迪秦L落地价，差价近一万；当月冲量车型，申请破底价锁单"
COMMENTS = {
    ApprovalDecision.APPROVE: ["同意，尽快锁单", "可以，争取今天收定金", "同意，精品不再加送"],
    ApprovalDecision.REJECT: ["优惠超出本月政策，可改送3年6次保养",
                              "该车型库存紧张，不支持这个价格"],
    ApprovalDecision.COUNTER: ["最多给到这个数，可加送洗车券", "按这个价格，今天定可以"],
}
WITHDRAW_REASONS = ["客户决定等年底促销再看", "客户已在别家提车"]
SENT_BACK = "买方身份证号码与复印件不一致，请核对后重新提交"
CANCEL_REASONS = {
    ContractStatus.DRAFT: "客户家人不同意，暂不购车",
    ContractStatus.APPROVED: "客户想要的颜色三个月内无法到车，双方同意取消",
    ContractStatus.SIGNED: "客户贷款审批未通过，双方协商解除合同，定金全额退还",
}
EXTRA_TERMS = ["", "", "赠送全车脚垫及首保，交车时一并交付",
               "客户旧车置换款抵扣车款，过户手续由本店代办"]
CHANNELS = [PaymentChannel.WECHAT, PaymentChannel.WECHAT, PaymentChannel.ALIPAY,
            PaymentChannel.CARD, PaymentChannel.TRANSFER]
NEW_ENERGY = (Powertrain.EV, Powertrain.PHEV, Powertrain.EREV)
SIGNED_STATES = (ContractStatus.SIGNED, ContractStatus.DELIVERED, ContractStatus.CLOSED)


@dataclass(frozen=True)
class Story:
    """One customer's negotiation: the discounts of the versions the consultant saved,
    how the approval of the last one ended, and where the contract got to."""

    discounts: tuple[int, ...]
    decision: str = ""  # approve / reject / counter / withdraw; "" leaves it as it is
    counter: int = 0
    # The contract's final state ("" for a quote only); delivered and closed are reached
    # by the delivery stage's demo, this stage stops at the signing.
    contract: str = ""
    cancelled_from: str = ContractStatus.DRAFT
    extras: frozenset[str] = frozenset()  # trade_in, loan, floor, vehicle, sent_back, open
    days: tuple[int, int] = (0, 1)  # it ended (or was signed) this many days ago

    @property
    def signed(self) -> bool:
        return self.contract in SIGNED_STATES or (
            self.contract == ContractStatus.CANCELLED
            and self.cancelled_from == ContractStatus.SIGNED)


def _s(*discounts: int, extras: str = "", **kwargs) -> Story:
    return Story(discounts=discounts, extras=frozenset(extras.split()), **kwargs)


C = ContractStatus
STORIES = [
    # Quotes: waiting in both inboxes, approved, rejected, countered, withdrawn.
    _s(5000, extras="trade_in", days=(0, 1)),
    _s(2000, 3000, 6500, days=(0, 1)),
    _s(12000, extras="loan vehicle", days=(0, 1)),
    _s(10500, extras="floor vehicle", days=(0, 2)),
    _s(2500, days=(0, 3)),
    _s(4000, 5500, decision="approve", extras="loan", days=(1, 4)),
    _s(9500, decision="counter", counter=8000, days=(1, 5)),
    _s(7500, decision="reject", days=(1, 6)),
    _s(16000, decision="reject", extras="trade_in", days=(2, 8)),
    _s(6000, decision="withdraw", days=(3, 12)),
    _s(1500, decision="withdraw", days=(5, 20)),
    # Contracts before signing (one sent back by the manager).
    _s(3000, contract=C.DRAFT, days=(0, 2)),
    _s(5000, decision="approve", contract=C.DRAFT, extras="sent_back", days=(1, 4)),
    _s(2000, contract=C.IN_REVIEW, days=(0, 1)),
    _s(7000, decision="approve", contract=C.IN_REVIEW, extras="loan", days=(0, 2)),
    _s(4500, decision="approve", contract=C.APPROVED, extras="trade_in", days=(0, 3)),
    _s(1000, 2800, contract=C.APPROVED, extras="loan", days=(1, 4)),
    # Signed, waiting for delivery (the delivery demo spreads them over the order's stages:
    # awaiting the car, car arrived, inspection, ready): the first two win their open lead
    # today or yesterday.
    _s(3000, contract=C.SIGNED, extras="open", days=(0, 1)),
    _s(2000, 4000, decision="approve", contract=C.SIGNED, extras="open loan", days=(0, 1)),
    _s(6000, decision="counter", counter=5000, contract=C.SIGNED, days=(2, 12)),
    _s(8000, decision="approve", contract=C.SIGNED, extras="loan trade_in", days=(3, 15)),
    _s(2500, contract=C.SIGNED, days=(5, 18)),
    _s(2800, contract=C.SIGNED, extras="loan", days=(6, 20)),
    _s(4000, decision="approve", contract=C.SIGNED, days=(8, 24)),
    _s(1800, contract=C.SIGNED, days=(10, 28)),
    # Meant to end delivered, and closed: signed here, delivered (and closed) by the
    # delivery demo through allocation, inspection, payment and handover.
    _s(3000, 4500, decision="approve", contract=C.DELIVERED, days=(20, 40)),
    _s(2000, contract=C.DELIVERED, extras="loan", days=(20, 45)),
    _s(9000, decision="counter", counter=7500, contract=C.DELIVERED, extras="trade_in",
       days=(22, 50)),
    _s(3000, contract=C.DELIVERED, days=(25, 55)),
    _s(6000, decision="approve", contract=C.DELIVERED, extras="loan", days=(25, 60)),
    _s(2000, contract=C.CLOSED, days=(35, 50)),
    _s(1500, 3000, contract=C.CLOSED, extras="loan", days=(40, 60)),
    _s(5000, decision="approve", contract=C.CLOSED, days=(45, 70)),
    _s(8000, decision="counter", counter=6000, contract=C.CLOSED, extras="trade_in",
       days=(50, 80)),
    _s(2800, contract=C.CLOSED, extras="loan", days=(60, 88)),
    # Cancelled: a draft, an approved contract, and one after signing (a refund is owed).
    _s(3000, contract=C.CANCELLED, days=(5, 20)),
    _s(5000, decision="approve", contract=C.CANCELLED, cancelled_from=C.APPROVED,
       days=(8, 25)),
    _s(4000, decision="approve", contract=C.CANCELLED, cancelled_from=C.SIGNED,
       extras="loan", days=(12, 40)),
]
