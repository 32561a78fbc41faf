from django.urls import path

from . import views
from .people import views as people_views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign_out"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("sign-in/security-code/", views.two_factor_verify, name="two_factor_verify"),
    path("account/", views.account, name="account"),
    path("account/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetSentView.as_view(), name="password_reset_sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("invitation/<str:token>/", people_views.invitation_accept, name="invitation_accept"),
    path(
        "password-reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
