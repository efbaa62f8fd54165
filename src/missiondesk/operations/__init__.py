"""The mission lifecycle after planning: approval, dispatch, check-ins, overdue, reports."""
