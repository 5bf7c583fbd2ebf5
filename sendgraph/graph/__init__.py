"""Records become quads in the ontology's terms, validated and built in one call."""
