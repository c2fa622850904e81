"""Train the genre and framing heads: ``unspin train framing`` / ``make model-framing``.

Data: SemEval-2023 task 3 English train, subtask 1 (genre: opinion / reporting /
satire; 319 / 30 / 2 articles, so the genre head weighs classes by inverse
frequency and is judged by macro-F1) and subtask 2 (14 frames, multi-label,
micro-F1). Each article is split into sentences by unspin's own pipeline, the
sentences go through the *shipped* sentence model (:mod:`unspin.claims.model`,
so build it first with ``unspin train claims``) and become one article vector
(:func:`unspin.framing.features.article_vector`) for the frames head; the whole
article goes through the other stages (so the shipped technique model must be
there too) and becomes the genre vector (:func:`unspin.framing.features.genre_vector`):
exactly what the runtime sees. A genre with fewer than ``min_label_articles``
training articles keeps a score but is never output as the label.

Evaluation is by article: a seeded split stratified by genre holds out
``test_fraction`` of the articles; the L2 strength, the class-weight power and the
frame threshold are chosen by cross-validation on the rest, and the held-out part
is measured once. As a steadier second figure, cross-validation over all articles
with those settings is reported too. The shipped heads are then refit on all
articles (threshold by cross-validation over all).
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import UsageError
from ..framing.features import LAYER_FEATURES, STYLE_FEATURES, genre_columns
from ..framing.heads import DEFAULT_MODEL_DIR, best_allowed
from ..framing.linear import fit_sigmoid, fit_softmax, sigmoid, softmax, standardizer
from .card import recorded_config
from .checks import require
from .corpora import DataDirError, resolve_data_dir
from .metrics import best_threshold, macro_f1, per_class_f1, prf

GENRES = ("opinion", "reporting", "satire")


@dataclass
class FramingTrainConfig:
    """Everything that decides the heads; validated on creation."""

    data_dir: str | None = None
    out_dir: str = str(DEFAULT_MODEL_DIR)
    encoder_dir: str | None = None     # the sentence model (default: the shipped one)
    language: str = "en"
    seed: int = 13
    test_fraction: float = 0.25
    folds: int = 5
    cv_repeats: int = 5                # fold assignments averaged when choosing the genre settings
    l2_grid: tuple[float, ...] = (1.0, 3.0, 10.0, 30.0, 100.0)
    min_label_articles: int = 5        # a genre seen less often is never output as the label
    weight_powers: tuple[float, ...] = (0.5, 0.75, 1.0)
    steps: int = 600
    threads: int = 2
    limit: int | None = None           # use only the first N articles (smoke tests)
    # the layers whose features the genre head reads (besides the style features); techniques are left
    # out so that retraining the technique model cannot move genre (5x5-fold CV 0.384 without them)
    genre_layers: tuple[str, ...] = ("quotes", "statements", "quantities", "entities", "claims")

    def __post_init__(self) -> None:
        from ..framing.features import LAYER_SOURCES

        self.l2_grid, self.weight_powers = tuple(self.l2_grid), tuple(self.weight_powers)
        self.genre_layers = tuple(self.genre_layers)
        checks = {
            "test_fraction": 0.0 < self.test_fraction < 0.9,
            "folds": self.folds >= 2,
            "cv_repeats": self.cv_repeats >= 1,
            "l2_grid": bool(self.l2_grid) and all(v > 0 for v in self.l2_grid),
            "weight_powers": bool(self.weight_powers) and all(0 <= v <= 1 for v in self.weight_powers),
            "steps": self.steps >= 10,
            "threads": self.threads >= 1,
            "limit": self.limit is None or self.limit >= 4 * self.folds,
            "min_label_articles": self.min_label_articles >= 0,
            "genre_layers": all(g in LAYER_SOURCES for g in self.genre_layers),
        }
        require(self, checks)


@dataclass
class FramedArticle:
    id: str
    text: str
    genre: str
    frames: tuple[str, ...]


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _labels(path: Path) -> dict[str, str]:
    out = {}
    for line in _read(path).splitlines():
        if line.strip():
            parts = line.rstrip("\r").split("\t")
            out[parts[0].strip()] = parts[1].strip() if len(parts) > 1 else ""
    return out


def load_semeval_framing(data_dir=None, language: str = "en") -> tuple[list[FramedArticle], list[str]]:
    """Articles with both a genre (subtask 1) and frames (subtask 2), and the frame names."""
    root = Path(resolve_data_dir(data_dir)) / "semeval2023-task3"
    lang = root / language
    need = [lang / "train-articles-subtask-1", lang / "train-labels-subtask-1.txt",
            lang / "train-labels-subtask-2.txt", root / "frames_subtask2.txt"]
    missing = [str(p) for p in need if not p.exists()]
    if missing:
        raise DataDirError(f"SemEval-2023 task 3 files not found: {missing}; see ../shared/data/README.md section 3")
    frame_names = [f.strip() for f in _read(root / "frames_subtask2.txt").splitlines() if f.strip()]
    genres, frames = _labels(lang / "train-labels-subtask-1.txt"), _labels(lang / "train-labels-subtask-2.txt")
    out = []
    for path in sorted((lang / "train-articles-subtask-1").glob("article*.txt")):
        aid = path.stem[len("article"):]
        if aid not in genres or aid not in frames:
            continue
        fr = tuple(f.strip() for f in frames[aid].split(",") if f.strip())
        unknown = [f for f in fr if f not in frame_names] + ([genres[aid]] if genres[aid] not in GENRES else [])
        if unknown:
            raise DataDirError(f"article {aid}: unknown labels {unknown}")
        out.append(FramedArticle(aid, _read(path), genres[aid], fr))
    if not out:
        raise DataDirError(f"no labelled articles found under {lang}")
    return out, frame_names


def article_vectors(articles: list[FramedArticle], encoder_dir: str | None, threads: int,
                    engine=None) -> tuple[np.ndarray, np.ndarray]:
    """Article vectors (frames head) and genre vectors (genre head) built exactly as at run time:
    unspin's stages, the shipped sentence model. ``engine`` (default: every stage but the heads
    themselves) must produce all the layers the genre vector reads."""
    from ..claims.model import DEFAULT_MODEL_DIR as ENCODER_DIR
    from ..claims.model import ClaimModel, model_available
    from ..extract.claims import candidate_sentences
    from ..framing.features import LAYER_SOURCES, article_vector, genre_vector
    from ..pipeline import DOC_COMPONENTS, MODEL_COMPONENTS, Engine, EngineConfig

    enc_dir = encoder_dir or str(ENCODER_DIR)
    if not model_available(enc_dir):
        raise UsageError(f"no sentence model in {enc_dir}; build it first with 'unspin train claims'")
    model = ClaimModel(enc_dir, threads=threads)
    if engine is None:
        engine = Engine(EngineConfig(components=tuple(c for c in DOC_COMPONENTS if c != "unspin_framing")))
    if engine.missing:
        raise UsageError(f"the genre head reads every layer, but {engine.missing} cannot run (no model); build "
                         "them first with " + ", ".join(f"'unspin train {MODEL_COMPONENTS.get(m, m)}'"
                                                         for m in engine.missing))
    X, G = [], []
    for an in engine.analyze_many(a.text for a in articles):
        errors = [d.message for d in an.diagnostics if d.level == "error"]
        if errors:
            raise RuntimeError(f"article {an.id}: {errors[0]}")
        sents = an.layer("sentences")
        texts = [an.text[sents[i].start:sents[i].end] for i in candidate_sentences(an.text, sents)]
        out = model.run(texts)
        X.append(article_vector(texts, out.logits, out.embeddings))
        g, missing = genre_vector(texts, out.logits, an.text, an.layers)
        if missing:
            raise UsageError(f"the genre head reads the layers {list(LAYER_SOURCES)}, but the engine made no "
                             f"{missing}; run the trainer with every stage")
        G.append(g)
    return np.stack(X), np.stack(G)


def genre_feature_names(layers: tuple[str, ...]) -> list[str]:
    """The genre head's inputs: the style features and the features of ``layers``, in vector order."""
    from ..framing.features import LAYER_SOURCES

    wanted = {f for layer in layers for f in LAYER_SOURCES[layer]}
    return list(STYLE_FEATURES) + [f for f in LAYER_FEATURES if f in wanted]


def encoder_id(encoder_dir: str | None) -> str | None:
    """The ``model_id`` of the sentence model the heads are fit on (see :func:`unspin.train.claims.file_id`)."""
    from ..claims.model import DEFAULT_MODEL_DIR as ENCODER_DIR

    config = Path(encoder_dir or ENCODER_DIR) / "config.json"
    return json.loads(config.read_text(encoding="utf-8")).get("model_id")


def stratified_folds(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    """A fold number per example, each class dealt round-robin over the folds after a seeded shuffle."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(y), dtype=int)
    start = 0
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        fold[idx] = (np.arange(len(idx)) + start) % k
        start += len(idx)
    return fold


def held_out_split(y: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Boolean mask of the held-out articles: ``fraction`` of each class (rounded), stratified."""
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        test[idx[:int(round(fraction * len(idx)))]] = True
    return test


def _std(X_fit, *others):
    mean, scale = standardizer(X_fit)
    return (mean, scale), [(x - mean) / scale for x in (X_fit, *others)]


def reportable(y: np.ndarray, floor: int) -> np.ndarray:
    """Per genre, whether it had at least ``floor`` training articles (and so may be output)."""
    return np.bincount(y, minlength=len(GENRES)) >= floor


def fit_genre(X, y, l2, power, steps):
    (mean, scale), (Xs,) = _std(X)
    counts = np.bincount(y, minlength=len(GENRES)).astype(float)
    W, b = fit_softmax(Xs, y, len(GENRES), l2=l2, balanced=False, steps=steps,
                       sample_weight=(len(y) / np.maximum(counts, 1))[y] ** power)
    return mean, scale, W, b


def fit_frames(X, Y, l2, steps):
    (mean, scale), (Xs,) = _std(X)
    W, b = fit_sigmoid(Xs, Y, l2=l2, steps=steps)
    return mean, scale, W, b


def genre_probs(head, X):
    mean, scale, W, b = head
    return softmax((X - mean) / scale @ W.T + b)


def frame_probs(head, X):
    mean, scale, W, b = head
    return sigmoid((X - mean) / scale @ W.T + b)


def frame_cv_probs(X, Y, folds, cfg: FramingTrainConfig, l2) -> np.ndarray:
    """Out-of-fold frame probabilities."""
    pf = np.zeros(Y.shape)
    for f in range(cfg.folds):
        tr, te = folds != f, folds == f
        pf[te] = frame_probs(fit_frames(X[tr], Y[tr], l2, cfg.steps), X[te])
    return pf


def cross_validate(X, G, y, Y, folds, cfg: FramingTrainConfig, l2g, power, l2f):
    """Out-of-fold genre predictions and frame probabilities."""
    return genre_cv_predictions(G, y, folds, cfg, l2g, power), frame_cv_probs(X, Y, folds, cfg, l2f)


def genre_cv_predictions(G, y, folds, cfg: FramingTrainConfig, l2, power) -> np.ndarray:
    """Out-of-fold genre predictions (only genres the fold's training part saw often enough)."""
    pred = np.zeros(len(y), dtype=int)
    for f in range(cfg.folds):
        tr, te = folds != f, folds == f
        p = genre_probs(fit_genre(G[tr], y[tr], l2, power, cfg.steps), G[te])
        pred[te] = best_allowed(p, reportable(y[tr], cfg.min_label_articles))
    return pred


def choose_settings(X, G, y, Y, cfg: FramingTrainConfig, seed: int, log=print) -> dict:
    """L2 strengths, class-weight power and frame threshold by cross-validation on (X, G, y, Y).
    The genre settings are judged by macro-F1 averaged over ``cv_repeats`` differently seeded
    fold assignments: with a few dozen minority articles one assignment is too noisy to choose by."""
    best_g, best_f = (-1.0, None), (-1.0, None)
    repeats = [stratified_folds(y, cfg.folds, seed + 1000 * r) for r in range(cfg.cv_repeats)]
    for l2 in cfg.l2_grid:
        for power in cfg.weight_powers:
            score = float(np.mean([macro_f1(genre_cv_predictions(G, y, folds, cfg, l2, power), y, list(GENRES))
                                   for folds in repeats]))
            if score > best_g[0]:
                best_g = (score, (l2, power))
        pf = frame_cv_probs(X, Y, repeats[0], cfg, l2)
        t, f1 = best_threshold(pf, Y, candidates=np.round(np.arange(0.05, 0.951, 0.025), 3))
        if f1 > best_f[0]:
            best_f = (f1, (l2, t))
    (l2g, power), (l2f, threshold) = best_g[1], best_f[1]
    log(f"chosen by {cfg.folds}-fold CV: genre l2={l2g} weight power={power} (macro-F1 {best_g[0]:.3f}, mean of "
        f"{cfg.cv_repeats} fold assignments); frames l2={l2f} threshold={threshold} (micro-F1 {best_f[0]:.3f})")
    return {"genre_l2": l2g, "weight_power": power, "frames_l2": l2f, "frame_threshold": threshold}


def score(pred, y, pf, Y, threshold, frame_names) -> dict:
    return {
        "articles": int(len(y)),
        "genre_gold": {g: int((y == k).sum()) for k, g in enumerate(GENRES)},
        "genre_macro_f1": macro_f1(pred, y, list(GENRES)),
        "genre_macro_f1_present": macro_f1(pred, y, list(GENRES), present_only=True),
        "genre_f1": per_class_f1(pred, y, list(GENRES)),
        "genre_accuracy": round(float((pred == y).mean()), 4),
        "frames": prf(pf >= threshold, Y),
        "frames_f1": {name: prf(pf[:, j] >= threshold, Y[:, j])["f1"] for j, name in enumerate(frame_names)},
    }


def train(cfg: FramingTrainConfig, log=print) -> Path:
    try:  # small matrices: a multi-threaded BLAS only spins (seconds per fit on a busy machine)
        from threadpoolctl import threadpool_limits
    except ImportError:
        return _train(cfg, log)
    with threadpool_limits(1):
        return _train(cfg, log)


def _train(cfg: FramingTrainConfig, log=print) -> Path:
    t0 = time.time()
    os.environ.setdefault("UNSPIN_THREADS", str(cfg.threads))
    articles, frame_names = load_semeval_framing(cfg.data_dir, cfg.language)
    if cfg.limit:
        articles = articles[:cfg.limit]
    y = np.array([GENRES.index(a.genre) for a in articles])
    Y = np.array([[f in a.frames for f in frame_names] for a in articles], dtype=float)
    log(f"{len(articles)} articles: " + ", ".join(f"{g} {int((y == k).sum())}" for k, g in enumerate(GENRES)))
    X, G = article_vectors(articles, cfg.encoder_dir, cfg.threads)
    genre_names = genre_feature_names(cfg.genre_layers)
    G = G[:, genre_columns(genre_names)]
    log(f"article vectors {X.shape}, genre vectors {G.shape} in {(time.time() - t0) / 60:.1f} min")
    test = held_out_split(y, cfg.test_fraction, cfg.seed)
    tr = ~test
    s = choose_settings(X[tr], G[tr], y[tr], Y[tr], cfg, cfg.seed + 1, log=log)
    head_g = fit_genre(G[tr], y[tr], s["genre_l2"], s["weight_power"], cfg.steps)
    head_f = fit_frames(X[tr], Y[tr], s["frames_l2"], cfg.steps)
    pred = best_allowed(genre_probs(head_g, G[test]), reportable(y[tr], cfg.min_label_articles))
    held = score(pred, y[test], frame_probs(head_f, X[test]), Y[test], s["frame_threshold"], frame_names)
    log("held-out split: " + format_scores(held))
    pred, pf = cross_validate(X, G, y, Y, stratified_folds(y, cfg.folds, cfg.seed + 2), cfg,
                                 s["genre_l2"], s["weight_power"], s["frames_l2"])
    cv = score(pred, y, pf, Y, s["frame_threshold"], frame_names)
    log(f"{cfg.folds}-fold CV over all articles: " + format_scores(cv))
    final_t, _ = best_threshold(pf, Y, candidates=np.round(np.arange(0.05, 0.951, 0.025), 3))
    mean, scale = standardizer(X)
    g_mean, g_scale, g_W, g_b = fit_genre(G, y, s["genre_l2"], s["weight_power"], cfg.steps)
    f = fit_frames(X, Y, s["frames_l2"], cfg.steps)
    heads = {
        "features": {"style": list(STYLE_FEATURES), "embedding_dim": int(X.shape[1] - len(STYLE_FEATURES))},
        "encoder": "claims", "encoder_id": encoder_id(cfg.encoder_dir),
        "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
        "genre": {"labels": list(GENRES), "inputs": "genre_vector", "features": genre_names,
                  "mean": g_mean.round(6).tolist(), "scale": g_scale.round(6).tolist(),
                  "weights": g_W.round(6).tolist(), "bias": g_b.round(6).tolist(),
                  "train_counts": {g: int((y == k).sum()) for k, g in enumerate(GENRES)},
                  "min_label_articles": cfg.min_label_articles},
        "frames": {"labels": frame_names, "weights": f[2].round(6).tolist(), "bias": f[3].round(6).tolist(),
                   "threshold": float(final_t)},
        "settings": s, "metrics": {"held_out": held, "cv_all": cv},
        "train_config": recorded_config(cfg, ("out_dir", "data_dir", "encoder_dir")),
    }
    out = Path(cfg.out_dir)
    tmp = out.with_name(out.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "heads.json").write_text(json.dumps(heads), encoding="utf-8")
    write_card(tmp, cfg, heads, len(articles), int(test.sum()), time.time() - t0)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    log(f"heads written to {out} in {(time.time() - t0) / 60:.1f} min")
    return out


def format_scores(m: dict) -> str:
    f1 = ", ".join(f"{k} {v:.3f}" for k, v in m["genre_f1"].items())
    fr = m["frames"]
    return (f"{m['articles']} articles (gold {m['genre_gold']})\n"
            f"  genre macro-F1 {m['genre_macro_f1']:.3f} over 3 classes, {m['genre_macro_f1_present']:.3f} over "
            f"classes present; per class: {f1}; accuracy {m['genre_accuracy']:.3f}\n"
            f"  frames micro P {fr['p']:.3f} R {fr['r']:.3f} F1 {fr['f1']:.3f} (pred {fr['pred']}, gold {fr['gold']})")




def write_card(model_dir: Path, cfg: FramingTrainConfig, heads: dict, n: int, n_test: int, seconds: float) -> None:
    from .card import render_card

    s = heads["settings"]
    genre_layer = [f for f in heads["genre"]["features"] if f not in STYLE_FEATURES]
    summary = (
        "Genre (opinion / reporting / satire, softmax) and framing (14 SemEval-2023 frames, one sigmoid each) "
        "heads: linear models in numpy. The frames head reads the article vector — the mean of the "
        "L2-normalised sentence embeddings of the shared sentence model (`models/claims`, MiniLM fine-tuned "
        f"for check-worthiness) plus {len(STYLE_FEATURES)} style features ({', '.join(STYLE_FEATURES)}); the "
        f"genre head reads the style features and {len(genre_layer)} features of the layers "
        f"{', '.join(cfg.genre_layers)} ({', '.join(genre_layer)}); both standardised. Genre classes "
        f"weighted by (inverse frequency)^{s['weight_power']}, L2 {s['genre_l2']}; a genre with fewer than "
        f"{cfg.min_label_articles} training articles is never output as the label (its score is); "
        f"frames L2 {s['frames_l2']}, "
        f"threshold {heads['frames']['threshold']}. Settings chosen by {cfg.folds}-fold cross-validation on the "
        f"training part of a genre-stratified article split ({n - n_test} / {n_test} articles); shipped heads "
        f"refit on all {n} articles. {seconds / 60:.1f} min on {cfg.threads} CPU threads."
    )
    metrics = ("held-out split: " + format_scores(heads["metrics"]["held_out"]) + "\n\n"
               f"{cfg.folds}-fold CV over all articles (same settings): " + format_scores(heads["metrics"]["cv_all"])
               + "\n\nper-frame F1 (CV over all): " + ", ".join(
                   f"{k} {v:.2f}" for k, v in heads["metrics"]["cv_all"]["frames_f1"].items()))
    note = ("\nGenre macro-F1 is the mean F1 of the three genres; \"over classes present\" averages over the "
            "genres that occur in the gold labels or the predictions of that split (scikit-learn's default). "
            "The English training data has 2 satire articles, so satire is effectively unlearnable here.\n")
    text = render_card("unspin genre and framing heads", summary, ("semeval2023",), recorded_config(cfg, ("out_dir", "data_dir", "encoder_dir")), metrics,
                       "unspin train claims && unspin train framing   # or: make model-claims model-framing", note)
    text = text.replace("train, span annotations", f"train ({cfg.language}), subtask 1 (genre) and subtask 2 (framing)")
    text = text.replace("rebuild it without a corpus with\n`unspin train ... --exclude CORPUS`.", "there is no "
                        "substitute corpus for these labels.")
    (model_dir / "MODEL_CARD.md").write_text(text, encoding="utf-8")
