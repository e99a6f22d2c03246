"""POS imports (customers or purchases): upload and preview, start, watch, resume."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.access import staff_required
from core.errors import LoupeError
from crm import selectors, services
from crm.forms import ImportUploadForm
from crm.services.imports import PREVIEW_ROWS

PROBLEMS_PAGE = 100


@staff_required("crm.import_customer")
def upload(request):
    """Upload a POS file and see a dry run of its first rows; the latest imports below."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    run = report = None
    if request.method == "POST" and form.is_valid():
        try:
            run = services.import_upload(store=request.store, by=request.staff,
                                         kind=form.cleaned_data["kind"],
                                         upload=form.cleaned_data["file"])
            report = services.import_preview(run=run, by=request.staff)
        except LoupeError as exc:
            exc.add_to_form(form)
    return render(request, "crm/import.html", {
        "form": form, "run": run, "report": report, "preview_rows": PREVIEW_ROWS,
        "imports": selectors.imports_of_store(store=request.store)})


@staff_required("crm.import_customer")
@require_POST
def start(request, import_id):
    run = selectors.import_for(store=request.store, import_id=import_id)
    services.import_start(run=run, by=request.staff)
    return redirect("crm:import-detail", import_id=run.pk)


@staff_required("crm.import_customer")
@require_POST
def resume(request, import_id):
    run = selectors.import_for(store=request.store, import_id=import_id)
    try:
        services.import_resume(run=run, by=request.staff)
    except LoupeError as exc:
        messages.info(request, exc.message)
    return redirect("crm:import-detail", import_id=run.pk)


@staff_required("crm.import_customer")
def detail(request, import_id):
    """The import's progress (htmx polls the partial every 2 s while it runs) and, page by
    page, every row it refused with its line."""
    run = selectors.import_for(store=request.store, import_id=import_id)
    context = {"run": run, "stalled": run.is_stalled(timezone.now())}
    if request.htmx:
        return render(request, "crm/partials/_import_progress.html", context)
    problems = Paginator(selectors.import_problems(run=run), PROBLEMS_PAGE)
    return render(request, "crm/import_detail.html",
                  {**context, "problems": problems.get_page(request.GET.get("page"))})
