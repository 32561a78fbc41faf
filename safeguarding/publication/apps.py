from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "safeguarding.publication"
    label = "publication"
    verbose_name = "Publication"
