"""Helpers for the test suites of every app: a small two-town city, people, API clients and
local-service checks. Importable from any app's tests."""
