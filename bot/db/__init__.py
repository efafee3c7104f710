"""Database: models, engine and session scope, migrations."""
