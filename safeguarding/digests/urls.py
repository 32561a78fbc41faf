"""Staff pages for learning digests, under /manage/<partnership>/digests/."""

from django.urls import path

from . import views

app_name = "digests"

urlpatterns = [
    path("", views.issue_list, name="list"),
    path("new/", views.issue_start, name="issue_start"),
    path("<int:pk>/", views.issue_detail, name="issue"),
    path("<int:pk>/details/", views.issue_edit, name="issue_edit"),
    path("<int:pk>/proposals/", views.issue_choose, name="issue_choose"),
    path("<int:pk>/items/new/", views.item_add, name="item_add"),
    path("<int:pk>/items/<int:item_pk>/", views.item_edit, name="item_edit"),
    path("<int:pk>/items/<int:item_pk>/move/", views.item_move, name="item_move"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
    path("<int:pk>/preview/", views.issue_preview, name="issue_preview"),
    path("<int:pk>/publish/", views.issue_publish, name="issue_publish"),
]
