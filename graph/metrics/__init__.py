"""The one metrics engine and what is built on it: the answer types (``results``), the engine over
a skill's arrays (``engine``), the answers asked of a store (``answers``), and the use cases — the
planner, the quality checks, the map's and the report's data, the public (aggregate) shapes."""
