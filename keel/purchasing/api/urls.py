from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("vendor-prices", views.VendorPriceViewSet, basename="vendorprice")
router.register("requisitions", views.RequisitionViewSet, basename="requisition")
router.register("rfqs", views.RfqViewSet, basename="rfq")
router.register("purchase-orders", views.PurchaseOrderViewSet, basename="purchaseorder")
router.register("bill-matches", views.BillMatchViewSet, basename="billmatch")

urlpatterns = router.urls
