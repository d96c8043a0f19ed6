from ninja import Router, Schema

from aims.api.auth import READ
from aims.api.errors import responses

from .views import LESSONS

router = Router(tags=["Lessons learned"])


class LessonOut(Schema):
    title: str


@router.get("/lessons", auth=READ, response=responses(200, list[LessonOut]), summary="Lessons")
def list_lessons(request):
    return [{"title": title} for title in LESSONS]
