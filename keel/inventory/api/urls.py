from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("warehouses", views.WarehouseViewSet, basename="warehouse")
router.register("locations", views.LocationViewSet, basename="location")
router.register("lots", views.LotViewSet, basename="lot")
router.register("stock-levels", views.StockLevelViewSet, basename="stocklevel")
router.register("replenishment-rules", views.ReplenishmentRuleViewSet, basename="replenishmentrule")
router.register("putaway-rules", views.PutawayRuleViewSet, basename="putawayrule")
router.register("inventory-counts", views.InventoryCountViewSet, basename="inventorycount")
router.register("landed-costs", views.LandedCostViewSet, basename="landedcost")
router.register("transfers", views.TransferViewSet, basename="transfer")

urlpatterns = router.urls
