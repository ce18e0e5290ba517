"""The XLSX reference of bench/export.sh: writes the rows of a Paydesk CSV export as
one sheet with XlsxWriter in constant_memory mode, with the cell types and formats of
Paydesk's own XLSX (text, amounts with their decimals, minor units, quotes, local
times), a bold frozen header, column widths and an autofilter.

    python write.py export.csv out.xlsx   # prints rows, seconds and peak RSS in MB
"""

import csv
import resource
import sys
import time
from datetime import datetime

import xlsxwriter


def kind(header):
    if header.endswith("(minor units)"):
        return "minor"
    if header in ("Amount", "Settlement amount"):
        return "amount"
    if header == "Settlement quote":
        return "quote"
    if header.startswith(("Creation time", "Finish time")):
        return "time"
    return "text"


def main(source, target):
    start = time.monotonic()
    with open(source, newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        header = next(rows)
        kinds = [kind(h) for h in header]
        book = xlsxwriter.Workbook(target, {"constant_memory": True})
        sheet = book.add_worksheet("Transactions")
        bold = book.add_format({"bold": True, "align": "center"})
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        money = [book.add_format({"num_format": "#,##0" + ("." + "0" * d if d else "")}) for d in range(5)]
        whole = book.add_format({"num_format": "0"})
        quote = book.add_format({"num_format": "0.0000######"})
        for c, h in enumerate(header):
            sheet.set_column(c, c, 20)
        sheet.freeze_panes(1, 0)
        for c, h in enumerate(header):
            sheet.write_string(0, c, h, bold)
        r = 0
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value == "":
                    continue
                k = kinds[c]
                if k == "text":
                    sheet.write_string(r, c, value)
                elif k == "amount":
                    decimals = len(value.split(".")[1]) if "." in value else 0
                    sheet.write_number(r, c, float(value), money[min(decimals, 4)])
                elif k == "minor":
                    sheet.write_number(r, c, int(value), whole)
                elif k == "quote":
                    sheet.write_number(r, c, float(value), quote)
                else:
                    local = datetime.fromisoformat(value).replace(tzinfo=None)
                    sheet.write_datetime(r, c, local, when)
        sheet.autofilter(0, 0, r, len(header) - 1)
        book.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(r, f"{time.monotonic() - start:.2f}", f"{peak_mb:.0f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
