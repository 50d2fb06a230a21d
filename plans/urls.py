from django.urls import path

from plans import question_views, views

app_name = "plans"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("stages/<int:number>/", views.stage_detail, name="stage"),
    path("steps/<slug:slug>/", views.step_detail, name="step"),
    path("completions/<int:pk>/remove/", views.completion_delete, name="completion_delete"),
    path("ready/", views.ready, name="ready"),
    path("ready/take-back/", views.ready_take_back, name="ready_take_back"),
    path("step-back/", views.step_back, name="step_back"),
    path("timeline/", views.timeline, name="timeline"),
    path("table-of-trust/", views.table_of_trust, name="table_of_trust"),
    path("table-of-trust/<int:pk>/done/", views.ritual_done, name="ritual_done"),
    path("table-of-trust/<int:pk>/archive/", views.ritual_archive, name="ritual_archive"),
    path("transparency/", views.transparency, name="transparency"),
    path("transparency/<int:pk>/decide/", views.agreement_decide, name="agreement_decide"),
    path("transparency/<int:pk>/withdraw/", views.agreement_withdraw, name="agreement_withdraw"),
    path("transparency/<int:pk>/change/", views.agreement_change, name="agreement_change"),
    path("transparency/<int:pk>/end/", views.agreement_end, name="agreement_end"),
    path("transparency/<int:pk>/keep/", views.agreement_keep, name="agreement_keep"),
    path("wish-notes/", views.wish_notes, name="wish_notes"),
    path("questions/", question_views.question_list, name="questions"),
    path("questions/<int:pk>/", question_views.question_detail, name="question"),
    path("questions/<int:pk>/answer/", question_views.question_answer, name="question_answer"),
]
