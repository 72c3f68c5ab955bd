"""Incremental builds: the only code that knows `.nashra-cache/` exists.

    digests.py   SHA-256 of texts and files, and the stat rule that spares reading unchanged files
    keys.py      every input key of the build: inputs, fingerprints, bodies, entries, cards
    records.py   an Article as JSON and back, checked field by field against the dataclasses
    store.py     .nashra-cache/: articles.jsonl, index.json, the body packs, the page manifest
    stamp.py     last-build.json: when no input changed, the last result
    session.py   the one object the pipeline talks to

Nothing here imports a stage's module but to hash what it returns; the stages never import the
store (only the pack writer, store.write_pack, runs in the workers that prepare bodies).
"""
