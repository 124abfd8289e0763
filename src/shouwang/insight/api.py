"""Thin API handlers: parse, call a selector or service, return."""

from ninja import Router

router = Router(tags=["insight"])
