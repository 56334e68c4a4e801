from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.procedure_list, name="home"),
    path("thu-tuc/", views.procedure_list, name="list"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="detail"),
    path("thu-tuc/<str:code>/mau/<str:form_code>.pdf", views.form_pdf, name="form-pdf"),
]
