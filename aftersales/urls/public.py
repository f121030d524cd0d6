"""The customer's survey page: no login, mounted at /s/ by the root URLconf (namespace
"survey"); everything else of after-sales is staff-only under /aftersales/."""

app_name = "survey"
urlpatterns: list = []
