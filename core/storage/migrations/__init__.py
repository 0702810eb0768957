"""Alembic migrations of the product's database schema."""
