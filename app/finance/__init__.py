"""Finance: what assets are worth over time (depreciation), starting with the engine that
turns a depreciation profile into a schedule and a book value on any date."""
