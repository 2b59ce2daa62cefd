"""The knowledge base: articles with revisions, suggested edits and "did this help?", fed by
accepted answers and shipped ideas, and offered while a question is typed."""

from community.knowledge import deflection, editing, permissions, receivers
from community.knowledge.views import bp

__all__ = ["bp", "deflection", "editing", "permissions", "receivers"]
