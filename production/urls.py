from django.urls import path

from production import views

app_name = "production"
urlpatterns = [path("", views.board, name="board")]
