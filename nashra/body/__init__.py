"""Article bodies: Markdown to sanitised HTML (markdown), with Latin runs isolated and Arabic typography
applied (typography), converted once per content version and kept for later builds (prepare).
"""
