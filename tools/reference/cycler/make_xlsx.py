"""Excel versions of two real CSV exports, in the sheet layouts Arbin MITS Pro
and Neware BTS write, for the xlsx path of read_cycler_file (no real .xlsx
export with a redistributable licence is in ../shared/data/cycler_formats).

    tools/reference/.venv/bin/python tools/reference/cycler/make_xlsx.py

- data/cycler_xlsx/arbin_sample_data.xlsx: sheets `Global_Info` and
  `Channel_1-008` holding PyProBE's sample_data_arbin.csv (BSD-3-Clause,
  ImperialCollegeLondon/PyProBE @ b6302b79c34a), date-times as Excel dates.
- data/cycler_xlsx/neware_uio_head.xlsx: sheets `test`, `step` and `record`
  holding the first 400 rows of cellpy's neware_uio.csv (MIT,
  jepegit/cellpy @ c5d74b99b143), times as the hh:mm:ss text Neware writes.

openpyxl 3.1.5, pandas 2.3.3.
"""
import datetime as dt
import os

import openpyxl
import pandas as pd

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SRC = os.path.join(ROOT, "..", "shared", "data", "cycler_formats")
OUT = os.path.join(ROOT, "data", "cycler_xlsx")
os.makedirs(OUT, exist_ok=True)

arbin = pd.read_csv(os.path.join(SRC, "arbin", "sample_data_arbin.csv"), encoding="utf-8-sig")
wb = openpyxl.Workbook()
info = wb.active
info.title = "Global_Info"
info.append(["Test Name", "sample_data_arbin"])
info.append(["Schedule File Name", "PyProBE sample"])
ch = wb.create_sheet("Channel_1-008")
ch.append(list(arbin.columns))
for row in arbin.itertuples(index=False):
    cells = []
    for name, v in zip(arbin.columns, row):
        if name == "Date Time":
            cells.append(dt.datetime.strptime(v.strip(), "%m/%d/%Y %H:%M:%S.%f"))
        elif pd.isna(v):
            cells.append(None)
        else:
            cells.append(v)
    ch.append(cells)
    ch.cell(row=ch.max_row, column=2).number_format = "yyyy-mm-dd hh:mm:ss.000"
wb.save(os.path.join(OUT, "arbin_sample_data.xlsx"))

neware = pd.read_csv(os.path.join(SRC, "neware", "neware_uio.csv"), nrows=400, dtype={"Time": str, "Cumulative Time": str, "Date": str})
wb = openpyxl.Workbook()
test = wb.active
test.title = "test"
test.append(["Start Time", neware["Date"][0]])
step = wb.create_sheet("step")
step.append(["Step Index", "Step Type"])
for k, t in neware.groupby("Step Index")["Step Type"].first().items():
    step.append([int(k), t])
rec = wb.create_sheet("record")
rec.append(list(neware.columns))
for row in neware.itertuples(index=False):
    rec.append([None if (not isinstance(v, str) and pd.isna(v)) else (v.item() if hasattr(v, "item") else v) for v in row])
wb.save(os.path.join(OUT, "neware_uio_head.xlsx"))
print("wrote", os.listdir(OUT))
