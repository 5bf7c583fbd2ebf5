"""The base every stage stands on: the exception tree, atomic writes, package resources and the
audit hook."""
