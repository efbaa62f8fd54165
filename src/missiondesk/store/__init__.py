"""Storage: SQLAlchemy tables, the database handle, Alembic migrations, bulk village I/O."""
