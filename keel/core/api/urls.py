from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("companies", views.CompanyViewSet, basename="company")
router.register("approval-rules", views.ApprovalRuleViewSet, basename="approvalrule")
router.register("approval-requests", views.ApprovalRequestViewSet, basename="approvalrequest")
router.register(
    "webhook-subscriptions", views.WebhookSubscriptionViewSet, basename="webhooksubscription"
)
router.register("webhook-deliveries", views.WebhookDeliveryViewSet, basename="webhookdelivery")
router.register("status-changes", views.StatusChangeViewSet, basename="statuschange")

urlpatterns = router.urls
