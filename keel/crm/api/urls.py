from rest_framework.routers import DefaultRouter

router = DefaultRouter()

# --- leads (section owned by the leads work) ---
from . import leads as _leads  # noqa: E402

router.register("leads", _leads.LeadViewSet, basename="lead")
router.register("lead-imports", _leads.LeadImportViewSet, basename="leadimport")
router.register("scoring-rules", _leads.ScoringRuleViewSet, basename="scoringrule")
router.register("assignment-rules", _leads.AssignmentRuleViewSet, basename="assignmentrule")

# --- opportunities, activities, forecast (section owned by the pipeline work) ---

urlpatterns = router.urls
