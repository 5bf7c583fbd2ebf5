"""Facts rendered: tables, exports, the network view, the report and the query page."""
