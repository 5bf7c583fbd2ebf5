"""Questions asked of the graph: SPARQL files, gap rules and network analysis."""
