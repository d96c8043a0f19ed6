"""The demo organization Northwind Credit (aims.demo.loader), for `aims run` and `aims demo`."""

# The demo's sign-in, named once: the console script, the loader and the README use these.
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "northwind-demo-2026"
