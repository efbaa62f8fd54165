"""The `missiondesk` command line: parse arguments, call a service, print with Rich or JSON.

A command imports its services inside the command, so `--help` and the reading commands
start without the solver, NumPy or the web stack (tests/cli/test_cli_starts_light.py).
The command modules do without postponed annotations: Typer then reads each parameter's
`Annotated[...]` as an object instead of compiling its text on every start.
"""
