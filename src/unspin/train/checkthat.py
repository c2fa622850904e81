"""Read CLEF CheckThat! 2024 task 1 English (check-worthiness of sentences).

``checkthat2024-task1-en/CT24_checkworthy_english_{train,dev,dev-test}.tsv`` under
the data directory (see ``../shared/data/README.md`` section 5): header
``Sentence_id  Text  class_label``, tab-separated with CSV quoting. One known defect
is repaired: a train line that holds two records because a newline is missing
(``24098 ... No29286 ... No``).
"""
from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import FormatError
from .corpora import DataDirError, resolve_data_dir

FOLDER = "checkthat2024-task1-en"
SPLITS = ("train", "dev", "dev-test")
_GLUED = re.compile(r"^(Yes|No)(\d+)$")


@dataclass(frozen=True)
class LabelledSentence:
    id: str
    text: str
    checkworthy: bool


def parse_rows(rows: list[list[str]], where: str) -> list[LabelledSentence]:
    """Records from CSV rows (header first); a 5-field row of two glued records is split."""
    if not rows or [c.strip() for c in rows[0][:3]] != ["Sentence_id", "Text", "class_label"]:
        raise FormatError(f"{where}: expected the header 'Sentence_id<TAB>Text<TAB>class_label'")
    out = []
    for n, row in enumerate(rows[1:], 2):
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) == 5 and _GLUED.match(row[2]):
            label, next_id = _GLUED.match(row[2]).groups()
            row_pairs = [[row[0], row[1], label], [next_id, row[3], row[4]]]
        elif len(row) == 3:
            row_pairs = [row]
        else:
            raise FormatError(f"{where} row {n}: expected 3 tab-separated fields, got {len(row)}: {row[:4]!r}")
        for sid, text, label in row_pairs:
            label = label.strip()
            if label not in ("Yes", "No"):
                raise FormatError(f"{where} row {n}: class_label must be Yes or No, got {label!r}")
            out.append(LabelledSentence(sid.strip(), text, label == "Yes"))
    return out


def load_checkthat(split: str, data_dir: str | os.PathLike[str] | None = None) -> list[LabelledSentence]:
    """The sentences of one split: ``train``, ``dev`` or ``dev-test``."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    path = Path(resolve_data_dir(data_dir)) / FOLDER / f"CT24_checkworthy_english_{split}.tsv"
    if not path.is_file():
        raise DataDirError(f"{str(path)!r} not found; the CheckThat! 2024 task 1 English files go in "
                           f"<data dir>/{FOLDER}/ (see ../shared/data/README.md section 5)")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    return parse_rows(rows, str(path))
