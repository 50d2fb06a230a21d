from django.urls import path

from checkins import trigger_views, views, wellbeing_views

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
    path("triggers/", trigger_views.trigger_list, name="triggers"),
    path("triggers/new/", trigger_views.trigger_new, name="trigger_new"),
    path("triggers/<int:pk>/edit/", trigger_views.trigger_new, name="trigger_edit"),
    path("triggers/<int:pk>/delete/", trigger_views.trigger_delete, name="trigger_delete"),
    path("triggers/<int:pk>/here/", trigger_views.trigger_here, name="trigger_here"),
    path("triggers/<int:pk>/not-now/", trigger_views.trigger_not_now, name="trigger_not_now"),
    path("dates/", trigger_views.dates_page, name="dates"),
    path("dates/<int:pk>/", trigger_views.date_edit, name="date_edit"),
    path("dates/<int:pk>/delete/", trigger_views.date_delete, name="date_delete"),
    path("bring/<str:kind>/<int:pk>/", wellbeing_views.to_bring_toggle, name="to_bring"),
]
