from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.my_notifications, name="list"),
    path("xac-minh-so-dien-thoai/", views.verify_phone, name="verify-phone"),
    path("quen-mat-khau/", views.password_reset_start, name="password-reset"),
    path("quen-mat-khau/dat-lai/", views.password_reset_finish, name="password-reset-finish"),
]
