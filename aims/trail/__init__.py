"""The change trail (app label ``audit``): hash-chained events of every change."""
