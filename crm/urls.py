from django.urls import path

from crm.views import floor, imports, occasions, office, photos, public

app_name = "crm"

urlpatterns = [
    path("", floor.home, name="home"),
    path("all/", floor.customers, name="customers"),
    path("here/", floor.here, name="here"),
    path("follow-up/", floor.follow_up, name="follow-up"),
    path("potential/", floor.potential, name="potential"),
    path("search/", floor.search, name="search"),
    path("walk-in/", floor.walk_in, name="walk-in"),
    path("walk-in/duplicates/", floor.duplicates, name="duplicates"),
    path("<int:customer_id>/", floor.customer, name="customer"),
    path("<int:customer_id>/edit/", floor.edit, name="edit"),
    path("<int:customer_id>/consent/", floor.consent, name="consent"),
    path("<int:customer_id>/note/", floor.note, name="note"),
    path("<int:customer_id>/purchase/", floor.purchase, name="purchase"),
    path("<int:customer_id>/occasions/<int:occasion_id>/", occasions.occasion_edit,
         name="occasion-edit"),
    path("<int:customer_id>/occasions/<int:occasion_id>/remove/", occasions.occasion_remove,
         name="occasion-remove"),
    path("<int:customer_id>/photos/add/", photos.photo_add, name="photo-add"),
    path("photos/<int:photo_id>/", photos.photo, name="photo"),
    path("<int:customer_id>/merge/", office.merge, name="merge"),
    path("<int:customer_id>/history/", office.history, name="history"),
    path("import/", imports.upload, name="import"),
    path("import/<int:import_id>/", imports.detail, name="import-detail"),
    path("import/<int:import_id>/start/", imports.start, name="import-start"),
    path("import/<int:import_id>/resume/", imports.resume, name="import-resume"),
    path("export/", office.export_customers, name="export"),
    path("preferences/", office.preferences, name="preferences"),
    path("preferences/<int:preference_id>/", office.preference_edit, name="preference-edit"),
    path("join/<int:store_id>/", public.capture, name="capture"),
    path("drawing/<int:store_id>/", public.capture_drawing, name="capture-drawing"),
    path("join/thanks/", public.capture_thanks, name="capture-thanks"),
    path("join/confirm/", public.capture_confirm, name="capture-confirm"),
]
