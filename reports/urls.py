from django.urls import path

from . import views

urlpatterns = [
    path("r/", views.receipt_lookup, name="public-receipt-lookup"),
    path("r/<str:code>/", views.public_receipt, name="public-receipt"),
]
