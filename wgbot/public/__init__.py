"""The public progress page, its open-data twins and its calendar feed (PRODUCT.md)."""

from wgbot.public.routes import add_public_routes

__all__ = ["add_public_routes"]
