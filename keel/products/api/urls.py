from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("products", views.ProductViewSet, basename="product")
router.register("product-categories", views.ProductCategoryViewSet, basename="productcategory")
router.register("uom-categories", views.UomCategoryViewSet, basename="uomcategory")
router.register("uoms", views.UomViewSet, basename="uom")
router.register("price-groups", views.PriceGroupViewSet, basename="pricegroup")
router.register("price-lists", views.PriceListViewSet, basename="pricelist")
router.register("price-list-rules", views.PriceListRuleViewSet, basename="pricelistrule")

urlpatterns = router.urls
