"""The read side: who may read what (``readable``), keyset pages (``paging``), the case text
search (``text_search``), the lists (``lists``) and the overview's figures (``stats``)."""

from supportdesk.infrastructure.db.reads.lists import SqlReadQueries
from supportdesk.infrastructure.db.reads.text_search import TextSearch

__all__ = ["SqlReadQueries", "TextSearch"]
