from django.urls import path

from aftersales.views import care as views

urlpatterns = [
    path("care/", views.care_desk, name="care_desk"),
    path("care/steps/", views.care_steps, name="care_steps"),
    path("care/steps/<int:pk>/done/", views.care_step_done, name="care_step_done"),
    path("care/steps/<int:pk>/skip/", views.care_step_skipped, name="care_step_skipped"),
    path("care/tasks/<int:pk>/done/", views.care_task_done, name="care_task_done"),
    path("care/settings/", views.care_settings, name="care_settings"),
]
