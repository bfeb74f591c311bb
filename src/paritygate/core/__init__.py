"""Bottom layer: value objects and pure helpers shared by every other layer. Imports nothing of paritygate but errors."""
