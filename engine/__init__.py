"""The engine: rule-base loading and checking, the compiler to durable-rules, the runner, results."""
