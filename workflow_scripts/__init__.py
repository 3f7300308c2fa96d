"""Scripts and importable modules of the colour-vs-shape goal misgeneralization workflow."""
