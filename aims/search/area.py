from aims.core.areas import Area, register

register(
    Area(
        label="search",
        prefix="search/",
        urls="aims.search.urls",
        api_router="aims.search.api.router",
        order=900,
    )
)
