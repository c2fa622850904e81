"""``unspin analyze``: formats, summary, failures, exit codes."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from unspin.cli import main

ARTICLES = {
    "article111.txt": "President Joe Biden met Emmanuel Macron in Paris on Monday.\nBiden said the talks were “very good”.\n",
    "article222.txt": "\ufeffThe European Union fined Google €2.4 billion.\r\nThe company said it would appeal.\r\n",
    "nested/opinion.txt": "Angela Merkel 😀 was\u200bright. Merkel always is.",
}


@pytest.fixture
def corpus(tmp_path):
    for name, text in ARTICLES.items():
        p = tmp_path / "in" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode("utf-8"))
    return tmp_path / "in"


def _json_stream(text: str) -> list[dict]:
    dec, docs, i = json.JSONDecoder(), [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        doc, i = dec.raw_decode(text, i)
        docs.append(doc)
    return docs


def test_cli_json_one_document_per_article_with_valid_offsets(corpus, capsys):
    assert main(["analyze", str(corpus), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    docs = _json_stream(out)
    assert len(docs) == 3
    for doc in docs:
        assert doc["schema"] == "unspin/1"
        n = len(doc["text"])
        for spans in doc["layers"].values():
            for s in spans:
                assert 0 <= s["start"] < s["end"] <= n
        for e in doc["layers"]["entities"]:
            assert e["canonical"]
    by_id = {d["id"]: d for d in docs}
    assert by_id["article222"]["text"] == ARTICLES["article222.txt"]
    assert "read 3 / ok 3 / failed 0" in err


def test_cli_json_directory_output(corpus, tmp_path):
    out = tmp_path / "out/"
    assert main(["analyze", str(corpus), "-f", "json", "-o", str(out) + "/", "-q"]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["article111.json", "article222.json", "opinion.json"]
    assert json.loads((out / "opinion.json").read_text(encoding="utf-8"))["id"] == "opinion"


def test_cli_jsonl_roundtrips_through_model(corpus, tmp_path):
    from unspin.model import Analysis

    out = tmp_path / "all.jsonl"
    assert main(["analyze", str(corpus), "-f", "jsonl", "-o", str(out), "-q"]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    for line in lines:
        assert json.loads(Analysis.loads(line).dumps()) == json.loads(line)


def test_cli_text_report(corpus, capsys):
    assert main(["analyze", str(corpus / "article111.txt")]) == 0
    out = capsys.readouterr().out
    assert "# article111" in out and "Joe Biden" in out and "Entities" in out


def test_cli_html_report_self_contained_and_escaped(tmp_path):
    p = tmp_path / "evil.txt"
    p.write_text("<script>alert('x')</script> Barack Obama & <b>friends</b> in Chicago.", encoding="utf-8")
    out = tmp_path / "r.html"
    assert main(["analyze", str(p), "-f", "html", "-o", str(out), "-q"]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "&lt;b&gt;friends" in html
    assert "http://" not in html and "https://" not in html and "<link" not in html
    assert 'class="entities"' in html


def test_cli_ptc_format_ids_and_lines(tmp_path, capsys, monkeypatch):
    from unspin.model import Span
    from unspin.pipeline import Engine

    real = Engine._finish

    def with_techniques(self, article, doc):
        an = real(self, article, doc)
        an.layers["techniques"] = [Span(0, 9, "Loaded_Language", 0.9), Span(10, 14, "Whataboutism", 0.5)]
        return an

    monkeypatch.setattr(Engine, "_finish", with_techniques)
    (tmp_path / "article777.txt").write_text("Outrageous lies everywhere.", encoding="utf-8")
    (tmp_path / "other.txt").write_text("Outrageous lies everywhere.", encoding="utf-8")
    assert main(["analyze", str(tmp_path), "-f", "ptc", "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "777\tLoaded_Language\t0\t9", "777\tWhataboutism,Straw_Men,Red_Herring\t10\t14",
        "other\tLoaded_Language\t0\t9", "other\tWhataboutism,Straw_Men,Red_Herring\t10\t14",
    ]


def test_cli_failures_recorded_and_exit_1(corpus, tmp_path, capsys):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    (corpus / "c.jsonl").write_text('{"text": "Good line about Peru."}\nnot json\n', encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    code = main(["analyze", str(corpus), "/no/such/path.txt", "-f", "jsonl", "-o", str(tmp_path / "o.jsonl"),
                 "--errors", str(errors)])
    assert code == 1
    err = capsys.readouterr().err
    assert "read 8 / ok 4 / failed 4" in err
    recs = [json.loads(x) for x in errors.read_text().splitlines()]
    assert sorted(r["reason"] for r in recs) == ["bad-json", "binary", "empty", "not-found"]
    assert all(r["message"] and r["source"] for r in recs)
    assert len((tmp_path / "o.jsonl").read_text().splitlines()) == 4


@pytest.mark.parametrize("argv", [
    ["analyze"],
    ["analyze", "x.txt", "--format", "pdf"],
    ["frobnicate"],
    ["analyze", "x.txt", "--batch-size", "0"],
    ["analyze", "-", "-"],
    ["analyze", "x.txt", "--encoding", "no-such-codec"],
    ["analyze", "x.txt", "-o", "/no/such/dir/out.json"],
])
def test_cli_usage_errors_exit_2(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    assert "unspin" in capsys.readouterr().err


def test_cli_progress_bar_when_asked(corpus, capsys):
    assert main(["analyze", str(corpus), "-f", "jsonl", "--progress"]) == 0
    err = capsys.readouterr().err
    assert "article" in err and "3/3" in err


def test_cli_console_script_stdin_and_exit_codes(tmp_path):
    exe = Path(sys.executable).with_name("unspin")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "unspin.cli.main"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run(cmd + ["analyze", "-", "-f", "json"], input=b"Vladimir Putin spoke in Moscow.",
                       capture_output=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads(r.stdout)
    assert doc["id"] == "stdin" and doc["layers"]["entities"]
    r = subprocess.run(cmd + ["analyze", str(tmp_path / "missing.txt")], capture_output=True, env=env, timeout=120)
    assert r.returncode == 1 and b"Traceback" not in r.stderr
    r = subprocess.run(cmd + ["analyze"], capture_output=True, env=env, timeout=60)
    assert r.returncode == 2 and b"Traceback" not in r.stderr


def test_cli_html_overlapping_identical_spans(tmp_path, monkeypatch):
    """Two techniques on the same words must render (regression: spans compared while sorting)."""
    from unspin.model import Span
    from unspin.pipeline import Engine

    real = Engine._finish

    def twice(self, article, doc):
        an = real(self, article, doc)
        an.layers["techniques"] = [Span(0, 9, "Loaded_Language", 0.9), Span(0, 9, "Loaded_Language", 0.4),
                                   Span(0, 9, "Doubt", 0.5)]
        return an

    monkeypatch.setattr(Engine, "_finish", twice)
    (tmp_path / "a.txt").write_text("Outrageous lies everywhere.", encoding="utf-8")
    out = tmp_path / "r.html"
    assert main(["analyze", str(tmp_path / "a.txt"), "-f", "html", "-o", str(out), "-q"]) == 0
    assert out.read_text(encoding="utf-8").count('class="techniques"') == 1


def test_cli_output_error_is_a_recorded_failure(tmp_path, monkeypatch, capsys):
    from unspin.report import writers

    def broken(self, analysis):
        raise ValueError("writer bug")

    monkeypatch.setattr(writers.JsonlWriter, "_write", broken)
    (tmp_path / "a.txt").write_text("Some text about Peru.", encoding="utf-8")
    assert main(["analyze", str(tmp_path / "a.txt"), "-f", "jsonl"]) == 1
    assert "output-error: 1" in capsys.readouterr().err
