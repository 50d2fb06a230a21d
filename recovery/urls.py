from django.contrib import admin
from django.urls import include, path

from recovery import care_views, data_views, views

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
    path("care/", care_views.care_team, name="care_team"),
    path("care/<int:pk>/consent/", care_views.care_consent, name="care_consent"),
    path("care/<int:pk>/end/", care_views.care_end, name="care_end"),
    path("care/seen/", care_views.care_seen, name="care_seen"),
    path("care/invitation/<str:token>/", care_views.care_accept, name="care_accept"),
    path("therapist/", care_views.therapist_home, name="therapist_home"),
    path("therapist/join/", care_views.therapist_join, name="therapist_join"),
    path("therapist/couples/<int:couple_id>/", care_views.therapist_couple, name="therapist_couple"),
    path("therapist/couples/<int:couple_id>/end/", care_views.therapist_end, name="therapist_end"),
    path("therapist/couples/<int:couple_id>/brief/", care_views.therapist_brief, name="therapist_brief"),
    path("therapist/couples/<int:couple_id>/brief.pdf", care_views.therapist_brief_pdf, name="therapist_brief_pdf"),
    path(
        "therapist/couples/<int:couple_id>/last-session/",
        care_views.therapist_last_session,
        name="therapist_last_session",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("plan/", include("plans.urls")),
    path("", include("checkins.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
