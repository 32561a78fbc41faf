from django.urls import path

from . import views

app_name = "setup"

urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/add/", views.agency_add, name="agency_add"),
    path("agencies/<int:pk>/rename/", views.agency_rename, name="agency_rename"),
    path("agencies/<int:pk>/remove/", views.agency_remove, name="agency_remove"),
    path("guidance/", views.guidance_list, name="guidance_list"),
    path("guidance/<slug:code>/", views.guidance_adopt, name="guidance_adopt"),
    path("guidance/<slug:code>/remove/", views.guidance_remove, name="guidance_remove"),
    path("agencies/<int:pk>/contacts/", views.agency_contacts, name="agency_contacts"),
    path(
        "agencies/<int:pk>/contacts/<int:contact_pk>/change/",
        views.agency_contact_change,
        name="agency_contact_change",
    ),
    path(
        "agencies/<int:pk>/contacts/<int:contact_pk>/remove/",
        views.agency_contact_remove,
        name="agency_contact_remove",
    ),
    path("decision-makers/", views.decision_maker_list, name="decision_maker_list"),
    path(
        "decision-makers/<str:review_type>/add/",
        views.decision_maker_add,
        name="decision_maker_add",
    ),
    path(
        "decision-makers/<int:pk>/change/",
        views.decision_maker_change,
        name="decision_maker_change",
    ),
    path(
        "decision-makers/<int:pk>/remove/",
        views.decision_maker_remove,
        name="decision_maker_remove",
    ),
]
