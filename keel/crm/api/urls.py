from rest_framework.routers import DefaultRouter

router = DefaultRouter()

# --- leads (section owned by the leads work) ---

# --- opportunities, activities, forecast (section owned by the pipeline work) ---

urlpatterns = router.urls
