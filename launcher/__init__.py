"""Starting the estate's programs as separate processes: `python -m launcher` is `make demo`;
the end-to-end tests start the same programs through `ProcessGroup`."""
