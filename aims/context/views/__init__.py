"""Pages of the context area, one module per kind of record."""
