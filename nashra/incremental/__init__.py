"""Incremental builds: the only code that knows `.nashra-cache/` exists.

    digests.py   SHA-256 of texts and files, and the stat rule that spares reading unchanged files
    toolchain.py what makes the output besides its files: Nashra's, Python's, the libraries' versions
    keys.py      every input key of the build: inputs, fingerprints, bodies, entries, cards
    records.py   an Article as JSON and back, checked field by field against the dataclasses
    packs.py     the pack writer: prepared bodies, a batch to a file (the workers call it)
    store.py     .nashra-cache/: articles.jsonl, index.json, the body packs, the page manifest
    stamp.py     last-build.json: when no input changed, the last result
    session.py   the one object the pipeline talks to

The stages never import the store: the pipeline hands them what the session knows, and the
workers that prepare bodies write their packs with the pack writer.
"""
