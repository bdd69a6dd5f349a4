"""The command-line entry points: `make run`, `make bench` (the top layer: they may import
orchestration/ and warehouse/; nothing imports them)."""
