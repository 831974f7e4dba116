from rest_framework.routers import DefaultRouter

router = DefaultRouter()

# --- leads (section owned by the leads work) ---
from . import leads as _leads  # noqa: E402

router.register("leads", _leads.LeadViewSet, basename="lead")
router.register("lead-imports", _leads.LeadImportViewSet, basename="leadimport")
router.register("scoring-rules", _leads.ScoringRuleViewSet, basename="scoringrule")
router.register("assignment-rules", _leads.AssignmentRuleViewSet, basename="assignmentrule")

# --- opportunities, activities, forecast (section owned by the pipeline work) ---
from . import activities as _activities  # noqa: E402
from . import opportunities as _opportunities  # noqa: E402

router.register("pipelines", _opportunities.PipelineViewSet, basename="pipeline")
router.register("stages", _opportunities.StageViewSet, basename="stage")
router.register("opportunities", _opportunities.OpportunityViewSet, basename="opportunity")
router.register("forecast", _opportunities.ForecastViewSet, basename="forecast")
router.register("activities", _activities.ActivityViewSet, basename="activity")
router.register("sales-targets", _activities.SalesTargetViewSet, basename="salestarget")
router.register("timeline", _activities.TimelineViewSet, basename="timeline")

urlpatterns = router.urls
