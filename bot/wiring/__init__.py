"""The composition root: the only modules that import upward, from the domain (bot/) into Slack (handlers/).

The app factory (app), the web server (web), the command line (cli, jobs_cli), the scheduler start-up (scheduler),
the console and the demo put the layers together; nothing in the layers below imports from here.
"""
