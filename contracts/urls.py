app_name = "contracts"
urlpatterns: list = []  # quotes and contracts arrive with their issue
