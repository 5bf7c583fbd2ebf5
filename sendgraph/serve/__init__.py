"""The graph served over HTTP, and pushed to a Graph Store Protocol store."""
