"""`manage.py import_stock`: the CSV import from the command line."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dealership.demo import data
from dealership.models import StockVehicle
from tests.factories import ColourFactory, SeriesFactory, TrimFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def test_import_stock_prints_row_errors_and_the_summary(tmp_path, store, manager):
    trim = TrimFactory(series=SeriesFactory(name="凯美瑞"), name="2.0E 精英版")
    ColourFactory(series=trim.series, name="雪域白")
    vin = data.vin(random.Random(7), wmi="LVG", model_year=2025)
    day = store.today().isoformat()
    path = tmp_path / "arrivals.csv"
    path.write_text("vin,series,trim,colour,status,arrival_date,cost,list_price,location\n"
                    f"{vin},凯美瑞,2.0E 精英版,雪域白,in_stock,{day},1,2,\n"
                    f"{vin},凯美瑞,2.0E 精英版,雪域白,in_stock,{day},1,2,\n"
                    f"X,凯美瑞,2.0E 精英版,雪域白,in_stock,{day},1,2,\n", encoding="gb18030")
    out = io.StringIO()

    call_command("import_stock", str(path), "--store", store.code, "--user", manager.username,
                 stdout=out)

    assert out.getvalue().splitlines() == [
        "row 4: VIN “X”: A VIN has exactly 17 characters.",
        "received: 1, unchanged: 1, errors: 1"]
    assert StockVehicle.objects.get().vin == vin


def test_import_stock_refuses_an_unknown_store(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("vin\n")

    with pytest.raises(CommandError):
        call_command("import_stock", str(path), "--store", "NOPE")
