from django.urls import path

from checkins import views, wellbeing_views

app_name = "checkins"

urlpatterns = [
    path("checkins/today/", views.check_in, name="check_in"),
    path("checkins/", views.history, name="history"),
    path("checkins/week/", views.weekly_review, name="weekly_review"),
    path("checkins/reviews/", views.reviews, name="reviews"),
    path("reminders/", views.reminder_settings, name="reminders"),
    path("reminders/pause/<str:token>/", views.pause_reminders, name="pause_reminders"),
    path("reminders/new-pause-link/", views.reset_pause_link, name="reset_pause_link"),
    path("safety/", views.safety_check, name="safety_check"),
    path("safety/support/", views.safety_support, name="safety_support"),
    path("safety/control/", views.feels_like_control, name="feels_like_control"),
    path("wellbeing/", wellbeing_views.wellbeing_home, name="wellbeing"),
    path("wellbeing/phq9/", wellbeing_views.phq9_form, name="phq9"),
    path("wellbeing/phq9/<int:pk>/", wellbeing_views.phq9_result, name="phq9_result"),
    path("wellbeing/offer/", wellbeing_views.wellbeing_offer, name="wellbeing_offer"),
    path("bring/<str:kind>/<int:pk>/", wellbeing_views.to_bring_toggle, name="to_bring"),
]
