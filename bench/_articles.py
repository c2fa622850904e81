"""Articles for benchmarks: PTC training articles when ../shared/data is there, else a synthetic set."""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "src" / "unspin" / "data" / "sample_article.txt"


def data_dir() -> Path:
    return Path(os.environ.get("UNSPIN_DATA", REPO.parent / "shared" / "data"))


def load_articles(n: int = 60, min_words: int = 0) -> tuple[list[str], str]:
    """``n`` article texts and where they came from."""
    ptc = data_dir() / "ptc-semeval2020" / "train-articles"
    if ptc.is_dir():
        texts = []
        for p in sorted(ptc.glob("article*.txt")):
            with open(p, encoding="utf-8", newline="") as fh:
                t = fh.read()
            if len(t.split()) >= min_words:
                texts.append(t)
            if len(texts) >= n:
                break
        return texts, f"{len(texts)} PTC-2020 train articles from {ptc}"
    base = SAMPLE.read_text(encoding="utf-8")
    # ~930 words each: the bundled sample repeated with varied numbers
    texts = [(base.replace("4.2", f"{4 + i % 7}.{i % 10}") + "\n") * 4 for i in range(n)]
    return texts, f"{n} synthetic articles (bundled sample x4; set UNSPIN_DATA for PTC articles)"
