"""Reading inputs: offsets match the file as read, and every bad input is a failure with a reason."""
import io
import json
import os

import pytest

from unspin.ingest import Failure, Limits, decode_bytes, read_paths, read_stream
from unspin.model import Article

HTML = """<!DOCTYPE html><html><head><title>Port deal | The Courier</title>
<meta name="author" content="Jane Roe"><meta property="article:published_time" content="2024-03-05">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>Port deal signed</h1>
<p>The minister said on Tuesday that the new port would cost $4 billion and create 3,000 jobs.</p>
<p>Critics called the deal &ldquo;a disaster for taxpayers&rdquo; and asked for an inquiry.</p>
<p>The port authority said the first ships would dock there in 2027, two years later than planned.</p>
</article><footer>Copyright 2024</footer></body></html>"""


def _read(path, **kw):
    return list(read_paths([str(path)], **kw))


def _one(path, **kw):
    items = _read(path, **kw)
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize("content", [
    "Plain text.\nSecond line.\n",
    "CRLF text.\r\nSecond line.\r\n",
    "\ufeffBOM text stays.\r\n",
    "Emoji 😀 and zero\u200bwidth\u2060 and nbsp\u00a0here.",
    "Old Mac\rline ends\r",
])
def test_sources_text_matches_file_read_without_translation(tmp_path, content):
    p = tmp_path / "article123.txt"
    p.write_bytes(content.encode("utf-8"))
    art = _one(p)
    assert isinstance(art, Article)
    with open(p, encoding="utf-8", newline="") as fh:
        assert art.text == fh.read() == content
    assert art.id == "article123"


def test_sources_utf16_with_bom_is_decoded(tmp_path):
    p = tmp_path / "u16.txt"
    p.write_bytes("Zürich and Genève.".encode("utf-16"))
    art = _one(p)
    assert art.text.lstrip("\ufeff") == "Zürich and Genève."


def test_sources_legacy_encoding_detected_with_diagnostic(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("Le café de la gare à Montréal était fermé, déclaré le maire à côté du marché.".encode("cp1252"))
    art = _one(p)
    assert isinstance(art, Article)
    assert "café" in art.text and "Montréal" in art.text
    assert art.diagnostics and art.diagnostics[0].code == "W101"


def test_sources_forced_encoding(tmp_path):
    p = tmp_path / "forced.txt"
    p.write_bytes("naïve".encode("latin-1"))
    assert _one(p, encoding="latin-1").text == "naïve"


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\r\n\t \xef\xbb\xbf", "empty"),
    ("binary.txt", bytes(range(256)) * 4, "binary"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, "binary"),
    ("broken.txt", "Café in Zürich costs €3 — “naïve”.".encode() + b"\xff and more", "invalid-utf8"),
    ("truncated.txt", "Die Bürger über Änderungen".encode() + "ö".encode()[:1], "invalid-utf8"),
    ("nomain.html", b"<html><head><title>x</title></head><body><script>var a=1;</script></body></html>", "no-main-text"),
])
def test_sources_bad_inputs_are_failures_with_reason(tmp_path, name, data, reason):
    p = tmp_path / name
    p.write_bytes(data)
    item = _one(p)
    assert isinstance(item, Failure), item
    assert item.reason == reason
    assert item.message and item.source == str(p)


def test_sources_huge_file_refused_without_reading(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as fh:  # 50 MB, sparse
        fh.truncate(50 * 1024 * 1024)
    item = _one(p)
    assert isinstance(item, Failure) and item.reason == "too-large"
    assert "--max-bytes" in item.message


def test_sources_max_chars_limit(tmp_path):
    p = tmp_path / "long.txt"
    p.write_text("word " * 3000, encoding="utf-8")
    item = _one(p, limits=Limits(max_chars=10_000))
    assert isinstance(item, Failure) and item.reason == "too-large"


def test_sources_html_main_text_and_metadata(tmp_path):
    p = tmp_path / "page.html"
    p.write_text(HTML, encoding="utf-8")
    art = _one(p)
    assert isinstance(art, Article), art
    assert "new port would cost $4 billion" in art.text
    assert "Home" not in art.text.split("\n")[0] and "Copyright" not in art.text
    assert art.title and "Port deal" in art.title
    assert art.meta.get("author") == "Jane Roe"
    assert art.meta.get("date") == "2024-03-05"


def test_sources_html_sniffed_without_suffix(tmp_path):
    p = tmp_path / "page"
    p.write_text(HTML, encoding="utf-8")
    assert "new port" in _one(p).text


def test_sources_jsonl_mixed_good_and_bad_lines(tmp_path):
    p = tmp_path / "corpus.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": "First article about Spain.", "outlet": "O1", "url": "http://x/1"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "a4", "title": "No text"}),
        "",
        json.dumps({"html": HTML, "date": "2024-01-01"}),
        json.dumps({"text": ""}),
    ]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = _read(p)
    kinds = [(type(i).__name__, getattr(i, "reason", None)) for i in items]
    assert kinds == [("Article", None), ("Failure", "bad-json"), ("Failure", "bad-json"),
                     ("Failure", "no-text"), ("Article", None), ("Failure", "empty")]
    assert items[0].id == "a1" and items[0].meta == {"url": "http://x/1", "outlet": "O1"}
    assert items[1].source.endswith("corpus.jsonl:2")
    assert items[4].id == "corpus:6" and items[4].meta["date"] == "2024-01-01"


def test_sources_directory_recursive_and_unreadable_entries(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.txt").write_text("Article A about Norway.", encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text("Article B about Chile.", encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "c.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "sub" / "notes.csv").write_text("ignored,file", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("hidden", encoding="utf-8")
    os.symlink(tmp_path / "missing.txt", tmp_path / "sub" / "dangling.txt")
    locked = tmp_path / "locked.txt"
    locked.write_text("locked", encoding="utf-8")
    locked.chmod(0)
    items = _read(tmp_path)
    by_name = {os.path.basename(i.source): i for i in items}
    assert isinstance(by_name["a.txt"], Article)
    assert isinstance(by_name["b.txt"], Article)
    assert isinstance(by_name["c.html"], Article)
    assert isinstance(by_name["dangling.txt"], Failure) and by_name["dangling.txt"].reason == "unreadable"
    if os.geteuid() != 0:  # root reads mode-000 files
        assert isinstance(by_name["locked.txt"], Failure)
    assert "notes.csv" not in by_name and ".hidden.txt" not in by_name


def test_sources_missing_path_is_failure():
    item = _one("/no/such/file.txt")
    assert isinstance(item, Failure) and item.reason == "not-found"


def test_sources_stdin_text_and_jsonl():
    art = list(read_stream(io.BytesIO(b"Text from a pipe.\r\n"), "-"))
    assert art[0].text == "Text from a pipe.\r\n" and art[0].id == "stdin"
    rows = b'{"text": "one"}\n{"text": "two"}\n'
    assert [a.text for a in read_stream(io.BytesIO(rows), "-")] == ["one", "two"]


@pytest.mark.parametrize("data,expected", [
    ("héllo".encode(), "héllo"),
    (b"\xef\xbb\xbfbom", "\ufeffbom"),
])
def test_sources_decode_bytes(data, expected):
    assert decode_bytes(data)[0] == expected
