from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("parties", views.PartyViewSet, basename="party")
router.register("addresses", views.AddressViewSet, basename="address")
router.register("regions", views.RegionViewSet, basename="region")
router.register("sales-channels", views.SalesChannelViewSet, basename="saleschannel")
router.register("industries", views.IndustryViewSet, basename="industry")
router.register("tags", views.TagViewSet, basename="tag")
router.register("customer-groups", views.CustomerGroupViewSet, basename="customergroup")

urlpatterns = router.urls
