from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("quotations", views.QuotationViewSet, basename="quotation")
router.register("sales-orders", views.OrderViewSet, basename="salesorder")
router.register("quotation-links", views.QuotationLinkViewSet, basename="quotation-link")
router.register("sales-returns", views.ReturnViewSet, basename="returnauthorisation")

urlpatterns = router.urls
