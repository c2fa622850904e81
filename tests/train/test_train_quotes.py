"""The quote trainer's pieces: the stack fit, the memo, the encoder config, and (slow) a tiny
fine-tune of the cue encoder whose exported graph must score as the torch model does."""
import numpy as np
import pytest

from unspin.train.quote_encoder import CueEncoderConfig
from unspin.train.quotes import _Memo, candidate_metrics, fit_stack_weights


def test_fit_stack_weights_recovers_a_known_logistic_model():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(20000, 2)) * 2
    p = 1 / (1 + np.exp(-(0.7 * z[:, 0] + 0.4 * z[:, 1] - 0.3)))
    y = (rng.random(len(p)) < p).astype(float)
    w, b = fit_stack_weights(z, y)
    assert w == pytest.approx([0.7, 0.4], abs=0.05) and b == pytest.approx(-0.3, abs=0.05)


def test_candidate_metrics():
    z = np.array([3.0, 3.0, -3.0, -3.0])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    m = candidate_metrics(z, y, 0.5)
    assert (m["P"], m["R"], m["F1"], m["n"]) == (0.5, 0.5, 0.5, 4)


def test_memo_runs_the_encoder_once_per_article_and_candidates():
    class Counting:
        calls = 0

        def logits(self, doc, cands, blocked):
            Counting.calls += 1
            return np.zeros(len(cands))

    class C:
        cue, content, cue_token = (0, 3), (4, 9), 0

    class Doc:
        def __getitem__(self, i):
            return type("Tok", (), {"sent": type("Sent", (), {"start": 0})})

    memo, doc = _Memo(Counting()), Doc()
    for _ in range(3):
        memo.logits(doc, [C()], [])
    memo.logits(Doc(), [C()], [])
    assert Counting.calls == 2
    assert memo.sentences == 4  # what the runtime would have encoded


def test_encoder_config_validates():
    with pytest.raises(ValueError, match="epochs"):
        CueEncoderConfig(epochs=0)
    with pytest.raises(ValueError):
        CueEncoderConfig(batch_sentences=0)


@pytest.mark.slow
def test_tiny_fine_tune_exports_a_graph_that_scores_like_torch(tmp_path):
    import torch
    from tokenizers import Tokenizer

    from unspin.extract.quote_cues import candidates
    from unspin.extract.quote_encoder import CueEncoder, candidate_rows
    from unspin.extract.quote_marks import find_quote_spans
    from unspin.extract.quote_model import default_model
    from unspin.train.quote_encoder import examples, export, train_encoder
    from unspin.train.quotes import pipeline
    from unspin.train.techniques import encoder_dir

    nlp = pipeline()
    texts = ["Anna Keller said the plan was dead. Tom Brandt ate an apple.",
             "“We will win,” the minister told reporters. The data back the claim, officials said."]
    arts = []
    for text in texts:
        doc = nlp(text)
        blocked = [(q.start, q.end) for q in find_quote_spans(text)]
        cands = candidates(doc, blocked, default_model())
        labels = [int(text[c.cue[0]:c.cue[1]] in ("said", "told")) for c in cands]
        arts.append((doc, cands, blocked, labels))
    tok_path = encoder_dir() / "tokenizer.json"
    tk = Tokenizer.from_file(str(tok_path))
    special = (tk.token_to_id("[CLS]"), tk.token_to_id("[SEP]"))
    cfg = CueEncoderConfig(epochs=2, batch_sentences=2, warmup=1, quantize=False, max_len=32)
    ex = examples(arts, tok_path, cfg.max_len - 2)
    assert sum(len(e.labels) for e in ex) == sum(len(a[1]) for a in arts)
    model, exported, steps = train_encoder(ex, cfg, special, seed=3, log=lambda m: None)
    assert steps == int(cfg.epochs * len(ex) / cfg.batch_sentences)
    model_id = export(model, exported, tmp_path, tok_path, cfg, special, {"seed": 3})
    assert model_id.startswith("sha1-") and (tmp_path / "MODEL_CARD.md").exists() is False
    enc = CueEncoder(tmp_path)
    for doc, cands, blocked, _ in arts:
        got = enc.logits(doc, cands, blocked)
        rows = candidate_rows(doc, cands, blocked, tok_path, cfg.max_len - 2)
        want = np.zeros(len(cands))
        with torch.no_grad():
            for row in rows:
                out = model([row], *special).numpy()
                for (k, *_), v in zip(row.cands, out, strict=True):
                    want[k] = v
        assert got == pytest.approx(want, abs=1e-3)


def test_cli_rejects_options_that_do_not_apply_to_quotes(monkeypatch, capsys):
    from unspin.cli.main import main

    assert main(["train", "quotes", "--steps", "5"]) == 2
    assert main(["train", "quotes", "--exclude", "ptc2020"]) == 2
    assert main(["train", "quotes", "--epochs", "0"]) == 2
    assert "epochs" in capsys.readouterr().err


def test_cli_passes_quote_options_to_the_trainer(monkeypatch, tmp_path):
    from unspin.cli.main import main
    from unspin.train import quotes

    seen = {}

    def fake_run(cfg, data_dir, out, cache, encoder_out, log=print):
        seen.update(cfg=cfg, data_dir=data_dir, out=out, encoder_out=encoder_out)

    monkeypatch.setattr(quotes, "run", fake_run)
    assert main(["train", "quotes", "--no-finetune", "--epochs", "1.5", "--seed", "7", "--out", str(tmp_path),
                 "--data-dir", "somewhere"]) == 0
    assert seen["cfg"].encoder is False and seen["cfg"].encoder_cfg.epochs == 1.5 and seen["cfg"].seed == 7
    assert seen["out"] == tmp_path / "quote_cue_model.json" and seen["encoder_out"] == tmp_path / "quotes"
    assert seen["data_dir"] == "somewhere"


def test_choose_gate_takes_the_cheapest_band_within_tolerance(monkeypatch):
    from unspin.train import quotes

    f1 = {None: 0.750, 0.1: 0.751, 0.2: 0.749, 0.3: 0.740}
    share = {None: 100, 0.1: 80, 0.2: 60, 0.3: 40}

    class Model:
        stack = {"weights": [1.0, 1.0], "bias": 0.0, "threshold": 0.5}
        encoder = quotes._Memo(None)

    def fake_end_to_end(items, model):
        gate = model.stack.get("gate")
        key = gate["band"][0] if gate else None
        model.encoder.sentences = share[key]
        return {"F1": f1[key]}

    monkeypatch.setattr(quotes, "end_to_end", fake_end_to_end)
    cfg = quotes.QuoteTrainConfig(gate_bands=((0.1, 0.9), (0.2, 0.8), (0.3, 0.7)), gate_tolerance=0.002)
    z = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    model = Model()
    gate, figures = quotes.choose_gate([], model, z, {"F1": 0.750}, cfg, log=lambda m: None)
    assert gate["band"] == [0.2, 0.8] and figures["gate_share"] == 0.6
    assert gate["impute"] == pytest.approx([2.0, 0.0], abs=1e-6)
    assert "gate" not in model.stack  # the caller decides
    cfg = quotes.QuoteTrainConfig(gate_bands=((0.3, 0.7),), gate_tolerance=0.002)
    assert quotes.choose_gate([], model, z, {"F1": 0.750}, cfg, log=lambda m: None)[0] is None
