from django.contrib import admin
from django.urls import include, path

from recovery import data_views, views

# The admin signs in through allauth and asks staff for two-step sign-in: see recovery/admin.py.
urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("space/invite/", views.invite_partner, name="invite_partner"),
    path("space/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("space/invitations/<int:pk>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    path("space/pause/", views.pause, name="couple_pause"),
    path("space/resume/", views.resume, name="couple_resume"),
    path("space/end/", views.end, name="couple_end"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("profile/", views.profile, name="profile"),
    path("profile/data/", data_views.my_data, name="my_data"),
    path("profile/data/<int:pk>/download/", data_views.data_download, name="data_download"),
    path("profile/delete/", data_views.account_close, name="account_close"),
    path("restore/<str:token>/", data_views.account_restore, name="account_restore"),
    path("privacy/", data_views.privacy, name="privacy"),
    path("exit/", views.quick_exit, name="quick_exit"),
    path("session/keep/", views.keep_session_alive, name="session_keep_alive"),
    path("", include("recovery.care.urls")),  # care/… and therapist/…
    path("healthz", views.healthz, name="healthz"),
    path("plan/", include("plans.urls")),
    path("", include("checkins.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
