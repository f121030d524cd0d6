"""Generators of realistic, valid demo identities: Chinese names, mobiles, ID numbers, VINs."""

from __future__ import annotations

import datetime as dt
import random

from dealership.validators import id_number_check_code, vin_check_digit

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华红玉兰飞鑫波斌宇浩凯健俊帆"
    "帅旭宁龙林欣悦晨阳佳怡雪梅婷慧丹玲萍颖琳倩嘉豪子轩梓涵一诺思远博文宏伟建国海燕春"
    "梅志强晓东"
)
CITIES = ["深圳", "东莞", "惠州", "广州", "佛山", "中山", "珠海", "香港", "汕头", "河源"]
MOBILE_PREFIXES = ["134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157",
                   "158", "159", "178", "182", "183", "187", "188", "130", "131", "132", "155",
                   "156", "166", "176", "185", "186", "133", "153", "173", "177", "180", "181",
                   "189", "191", "199"]
# Region codes of Guangdong cities (first six digits of an ID number).
REGION_CODES = ["440301", "440303", "440304", "440305", "440306", "441900", "441302",
                "440106", "440604", "442000"]
STREETS = ["深南大道", "滨河大道", "北环大道", "宝安大道", "龙岗大道", "布吉路", "福华路", "科苑路"]


def chinese_name(rng: random.Random) -> str:
    given_len = rng.choice((1, 2, 2))
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(given_len))


def mobile(rng: random.Random) -> str:
    """An E.164 Chinese mobile number in a real allocated range."""
    return f"+86{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def id_number(rng: random.Random, *, today: dt.date) -> str:
    birth = today - dt.timedelta(days=rng.randrange(22 * 365, 65 * 365))
    first17 = f"{rng.choice(REGION_CODES)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_number_check_code(first17)


def address(rng: random.Random, city: str) -> str:
    return f"{city}市{rng.choice(STREETS)}{rng.randrange(1, 3000)}号"


_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_YEAR_CODES = {2023: "P", 2024: "R", 2025: "S", 2026: "T"}


def vin(rng: random.Random, *, wmi: str, model_year: int) -> str:
    """A VIN that passes the ISO 3779 check digit, with the model-year code in position 10."""
    vds = "".join(rng.choice(_VIN_CHARS) for _ in range(5))
    year = _YEAR_CODES.get(model_year, "S")
    plant = rng.choice("ABCDEFGH")
    serial = f"{rng.randrange(10**6):06d}"
    draft = f"{wmi}{vds}0{year}{plant}{serial}"
    return draft[:8] + vin_check_digit(draft) + draft[9:]
