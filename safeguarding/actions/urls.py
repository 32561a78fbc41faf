"""Staff pages for recommendations and actions, under /manage/<partnership>/actions/."""

from django.urls import path

from . import plan_views, tracker_views

app_name = "actions"

urlpatterns = [
    # The partnership tracker, per-agency view and exports (tracker_views)
    path("", tracker_views.tracker, name="tracker"),
    path("tracker.xlsx", tracker_views.tracker_xlsx, name="tracker_xlsx"),
    path("agencies/<slug:agency_slug>/", tracker_views.agency_actions, name="agency"),
    path("review/<int:review_pk>/action-plan.docx", tracker_views.plan_docx, name="plan_docx"),
    path("review/<int:review_pk>/action-plan.xlsx", tracker_views.plan_xlsx, name="plan_xlsx"),
    # A review's action plan and its actions (plan_views)
    path("themes/", plan_views.themes, name="themes"),
    path("review/<int:review_pk>/", plan_views.plan, name="plan"),
    path("review/<int:review_pk>/learning/", plan_views.learning_add, name="learning_add"),
    path(
        "review/<int:review_pk>/findings/<int:finding_pk>/themes/",
        plan_views.finding_themes,
        name="finding_themes",
    ),
    path(
        "review/<int:review_pk>/recommendations/add/",
        plan_views.recommendation_add,
        name="recommendation_add",
    ),
    path(
        "recommendations/<int:pk>/change/",
        plan_views.recommendation_edit,
        name="recommendation_edit",
    ),
    path("recommendations/<int:pk>/impact/", plan_views.impact, name="impact"),
    path("recommendations/<int:pk>/actions/add/", plan_views.action_add, name="action_add"),
    path("<int:pk>/", plan_views.action_detail, name="action"),
    path("<int:pk>/change/", plan_views.action_edit, name="action_edit"),
    path("<int:pk>/progress/", plan_views.progress, name="progress"),
    path("<int:pk>/ask-to-complete/", plan_views.completion_request, name="completion_request"),
    path("<int:pk>/completion/", plan_views.completion_decide, name="completion_decide"),
    path("<int:pk>/not-implemented/", plan_views.not_implemented, name="not_implemented"),
    path("<int:pk>/evidence/<int:evidence_pk>/", plan_views.evidence_file, name="evidence"),
]
