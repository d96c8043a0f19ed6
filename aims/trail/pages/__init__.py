"""The change trail's pages: browse, filter, verify the hash chain and export (an app of its own,
above ``organizations``, whose pages it is served under)."""
