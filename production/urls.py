from django.urls import path

from production import network_views, views

app_name = "production"
urlpatterns = [
    path("", views.board, name="board"),
    path("network/", network_views.network, name="network"),
    path("<slug:code>/", views.plan, name="plan"),
    path("<slug:code>/reschedule/", views.reschedule, name="reschedule"),
    path("<slug:code>/runs/<str:number>/", views.run_status, name="run"),
    path("<slug:code>/jobs/<str:number>/pin/", views.pin, name="pin"),
    path("<slug:code>/jobs/<str:number>/unpin/", views.unpin, name="unpin"),
    path("<slug:code>/jobs/<str:number>/priority/", views.prioritize, name="priority"),
    path("<slug:code>/maintenance/", views.maintenance, name="maintenance"),
    path("<slug:code>/floor/", views.floor, name="floor"),
]
