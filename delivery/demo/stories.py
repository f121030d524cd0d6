"""What the delivery stage's demo is made of: the words and names finance, the consultants
and the workshop write, the ages of the stock received, and where each signed contract
still on its way to the customer is left (delivery.demo.seed plays them through the
services)."""

from __future__ import annotations

from contracts.enums import PaymentChannel

LANGUAGE = "zh-hans"
LOCATIONS = ("A区", "B区", "C区", "地下车库")
# Ages in store days of the cars received for stock of their own (not for a contract):
# every aging bucket (0–30, 31–60, 61–90, 90+) holds some, a few are slow (> 60 days).
STOCK_AGES = (2, 9, 17, 26, 34, 43, 52, 58, 64, 71, 79, 88, 96, 112, 131, 148)
IN_TRANSIT_CARS = 3  # ordered from the factory, on their way, for no contract yet
DEMO_CAR_AGE = 43  # the age of the stock car the manager makes a demo car
LENDERS = ("丰田汽车金融（中国）有限公司", "招商银行信用卡中心", "平安银行汽车金融事业部")
INSURERS = ("中国人民财产保险股份有限公司", "中国平安财产保险股份有限公司",
            "中国太平洋财产保险股份有限公司")
BALANCE_CHANNELS = (PaymentChannel.TRANSFER, PaymentChannel.TRANSFER, PaymentChannel.CARD,
                    PaymentChannel.WECHAT, PaymentChannel.ALIPAY)
PDI_FAULTS = ("左后车门漆面有一处约2厘米划痕，已报钣喷，修复后复检",
              "右前轮胎压偏低（1.9bar），补气后复检",
              "中控屏蓝牙无法连接手机，待升级车机软件后复检")
PLACES = ("交车区1号位", "交车区2号位", "交车仪式厅")
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"

# Where the signed contracts still on their way are left, oldest signing first. The
# stages of the order board: awaiting the car (none, or one in transit), car arrived,
# inspection (an item failed), ready (an appointment). "overdue" leaves the customer's
# part unpaid after the promised payment date; "at_risk" has no car a few days before the
# promised delivery date.
IN_PROGRESS = ("ready_tomorrow", "pdi_failed", "arrived_overdue", "ready_later",
               "in_transit", "at_risk", "arrived", "far")
# The ones every demo shows (when fewer contracts are signed, these are kept).
IN_PROGRESS_REQUIRED = ("ready_tomorrow", "pdi_failed", "arrived_overdue", "in_transit",
                        "at_risk")


def in_progress_plans(count: int) -> list[str]:
    """The plans of `count` signed contracts, oldest signing first."""
    if count >= len(IN_PROGRESS):
        return list(IN_PROGRESS) + ["arrived"] * (count - len(IN_PROGRESS))
    optional = [plan for plan in IN_PROGRESS if plan not in IN_PROGRESS_REQUIRED]
    chosen = set(IN_PROGRESS_REQUIRED[:count]) | set(
        optional[:max(0, count - len(IN_PROGRESS_REQUIRED))])
    return [plan for plan in IN_PROGRESS if plan in chosen]
