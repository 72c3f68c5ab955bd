"""Rendering: the prepared Site becomes planned files, each with the key of its inputs: the HTML pages,
sitemap and friends with Jinja (pages), the RSS feeds (feeds), and what pages tell link previews and
search engines (sharing). Nothing here writes; nashra/output/ does.
"""
