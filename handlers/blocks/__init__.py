"""All Block Kit building lives in this package: primitives (kit), value formats (fmt), and one module per topic."""
