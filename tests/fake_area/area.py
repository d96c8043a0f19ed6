from django.db.models import Q

from aims.catalog.links import addresses_requirements
from aims.core.areas import Area, NavLink, hook, register
from aims.core.dashboard import Part, Stat

from .models import Lesson
from .views import LESSONS


@hook("dashboard")
def dashboard(organization) -> Part:
    return Part(
        "fake_area",
        stats=[Stat(len(LESSONS), "lesson learned", "lessons learned", "lesson_list", order=90)],
    )


register(
    Area(
        label="fake_area",
        prefix="lessons/",
        urls="tests.fake_area.urls",
        nav=(NavLink("Lessons learned", "lesson_list", "Do & check", order=50),),
        api_router="tests.fake_area.api.router",
        order=95,
    )
)

addresses_requirements(Lesson, label="Lessons learned", current=Q(current=True), order=95)
