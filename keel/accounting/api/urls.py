from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("accounts", views.AccountViewSet, basename="account")
router.register("journals", views.JournalViewSet, basename="journal")
router.register("fiscal-years", views.FiscalYearViewSet, basename="fiscalyear")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("entries", views.EntryViewSet, basename="journalentry")
router.register("taxes", views.TaxViewSet, basename="tax")
router.register("reports", views.ReportViewSet, basename="report")

urlpatterns = router.urls

from . import invoices as invoice_views  # noqa: E402

router.register("invoices", invoice_views.InvoiceViewSet, basename="invoice")
router.register("payments", invoice_views.PaymentViewSet, basename="payment")
urlpatterns = router.urls
