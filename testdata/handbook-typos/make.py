"""Writes the handbook-typos set from handbook-eval: every question with one typing slip.

In each question, one lower-case word of six letters or more, chosen at random, loses a letter,
has two neighbouring letters swapped, one changed or one added (one of the four at random, never
the first or last letter). Seeded, so the set is the same on every run:

    python3 testdata/handbook-typos/make.py
"""
import json
import random
import re
import shutil

random.seed(5)
LETTERS = 'abcdefghijklmnopqrstuvwxyz'


def slip(text):
    words = [m for m in re.finditer(r'[A-Za-z]{6,}', text) if m.group(0).islower()]
    if not words:
        return text
    m = random.choice(words)
    w, i = m.group(0), random.randrange(1, len(m.group(0)) - 1)
    w = random.choice([
        lambda: w[:i] + w[i + 1:],
        lambda: w[:i] + w[i + 1] + w[i] + w[i + 2:],
        lambda: w[:i] + random.choice(LETTERS) + w[i + 1:],
        lambda: w[:i] + random.choice(LETTERS) + w[i:],
    ])()
    return text[:m.start()] + w + text[m.end():]


for name in ('queries.jsonl', 'unanswerable.jsonl'):
    with open('testdata/handbook-eval/' + name) as src, open('testdata/handbook-typos/' + name, 'w') as out:
        for line in src:
            q = json.loads(line)
            q['text'] = slip(q['text'])
            out.write(json.dumps(q, ensure_ascii=False) + '\n')
for name in ('qrels.tsv', 'facts.tsv'):
    shutil.copy('testdata/handbook-eval/' + name, 'testdata/handbook-typos/' + name)
