from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "aims.reviews"
    label = "reviews"
