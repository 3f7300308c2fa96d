"""What entry scripts share; nothing here is an entry script (workflow_scripts/jobs/<rule>.py are)."""
