from django.shortcuts import render

from aims.organizations.access import org_view
from aims.organizations.models import Access

LESSONS = ["Write the intended use before training", "Review fairness per age band"]


@org_view()
def lesson_list(request):
    return render(request, "fake_area/lessons.html", {"lessons": LESSONS})


@org_view(Access.CONTRIBUTE)
def lesson_add(request):
    return render(request, "fake_area/lessons.html", {"lessons": LESSONS, "adding": True})
