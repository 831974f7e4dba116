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

from . import bank as _bank  # noqa: E402
from . import exports as _exports  # noqa: E402
from . import financial_reports as _financial_reports  # noqa: E402
from . import invoices as _invoices  # noqa: E402

# Invoicing: documents and payments.
router.register("invoices", _invoices.InvoiceViewSet, basename="invoice")
router.register("payments", _invoices.PaymentViewSet, basename="payment")
# Banking, financial reports and exports.
router.register("ledger-exports", _exports.LedgerExportViewSet, basename="ledgerexport")
router.register(
    "financial-reports", _financial_reports.FinancialReportViewSet, basename="financialreport"
)
router.register("bank-statements", _bank.BankStatementViewSet, basename="bankstatement")
router.register(
    "bank-statement-lines", _bank.BankStatementLineViewSet, basename="bankstatementline"
)
router.register("bank-csv-mappings", _bank.BankCsvMappingViewSet, basename="bankcsvmapping")

urlpatterns = router.urls
