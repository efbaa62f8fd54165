"""`python -m missiondesk`: the same command line as the `missiondesk` script."""

from missiondesk.cli.app import main

main()
