"""The commands beside `build`: `check` (the build's reading and rules, reported without writing, with
report formatting the problems), `new` (start an article file), `topics` (the topic list) and `serve`
(a preview server that rebuilds on change).
"""
