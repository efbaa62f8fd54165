"""The `missiondesk` command line: parse arguments, call a service, print with Rich or JSON."""
