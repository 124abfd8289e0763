"""Writes of the inspections app, one module per thing written: inspections, hazards (the
rectification rounds), enforcement, stars, and the notices they owe."""
