"""The therapist side's pages: the couple's care team (care/…) and the therapist's own (therapist/…).
Included at the root by recovery/urls.py, so the paths and names are the ones the rest of Mend uses."""

from django.urls import path

from recovery.care import views as care_views

urlpatterns = [
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
]
