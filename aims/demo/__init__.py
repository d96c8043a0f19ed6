"""The demo organization Northwind Credit (aims.demo.loader), for `aims run` and `aims demo`."""
