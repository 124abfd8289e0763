"""Page views of the cases app, one module per screen family (console, field, supervisor)."""
