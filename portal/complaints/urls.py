"""The citizen's complaint pages, mounted at /phan-anh/."""

from django.urls import path

from portal.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("gui/", views.new, name="new"),
    path("xac-minh/", views.verify, name="verify"),
    path("danh-gia/<str:code>/", views.rate, name="rate"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/xac-nhan/", views.confirm, name="confirm"),
    path("<int:pk>/mo-lai/", views.reopen, name="reopen"),
    path("<int:pk>/tep/<int:attachment_id>/", views.attachment, name="attachment"),
]
