from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from recovery import views

# The admin signs in through allauth (MFA, rate limits) rather than its own login form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Mend administration"

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
    path("exit/", views.quick_exit, name="quick_exit"),
    path("therapist/", views.therapist_home, name="therapist_home"),
    path("healthz", views.healthz, name="healthz"),
    path("plan/", include("plans.urls")),
    path("", include("checkins.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
