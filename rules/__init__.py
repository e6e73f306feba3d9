"""The built-in rule base: YAML rule files by area and the sources catalogue (data, not code)."""
