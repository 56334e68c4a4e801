from django.urls import path

from portal.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.index, name="index"),
    path("dang-ky/", views.signup, name="signup"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/", views.profile, name="profile"),
]
