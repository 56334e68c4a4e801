from django.urls import path

from portal.payments import views

app_name = "payments"
urlpatterns = [
    path("ket-qua/", views.payment_return, name="return"),
    path("sandbox/<str:txn_ref>/", views.sandbox_bank, name="sandbox"),
    path("bien-lai/<str:txn_ref>/", views.receipt_download, name="receipt"),
    path("ho-so/<str:code>/", views.pay, name="pay"),
]
