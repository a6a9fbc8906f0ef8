"""Detection rules, one module per rule family; `registry` lists those that run."""
