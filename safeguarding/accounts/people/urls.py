from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.people_list, name="list"),
    path("invite/", views.invite, name="invite"),
    path("invite/check/", views.invite_check, name="invite_check"),
    path("invitations/<int:pk>/send-again/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    path("<int:pk>/", views.person, name="person"),
    path("<int:pk>/roles/", views.person_roles, name="person_roles"),
    path("<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
]
