from django.urls import path

from interviews import views

app_name = "interviews"

urlpatterns = [
    path("transcripts/", views.transcript_list, name="transcript-list"),
]
