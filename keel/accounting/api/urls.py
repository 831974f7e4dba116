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

# Banking, reports and exports (branch banking): their own router, appended.
from . import exports as _exports  # noqa: E402
from . import financial_reports as _financial_reports  # noqa: E402

extra_router = DefaultRouter()
extra_router.include_root_view = False
extra_router.register("ledger-exports", _exports.LedgerExportViewSet, basename="ledgerexport")
extra_router.register(
    "financial-reports", _financial_reports.FinancialReportViewSet, basename="financialreport"
)
from . import bank as _bank  # noqa: E402

extra_router.register("bank-statements", _bank.BankStatementViewSet, basename="bankstatement")
extra_router.register("bank-csv-mappings", _bank.BankCsvMappingViewSet, basename="bankcsvmapping")
urlpatterns += extra_router.urls
