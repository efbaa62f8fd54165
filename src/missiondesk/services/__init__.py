"""The operations the CLI, the HTTP API and the pages all call; each write is one transaction."""
