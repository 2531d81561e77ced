from django import forms
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from cosmo.models import Change, User
from cosmo.roles import planner_required
from cosmo.security import SignupThrottle, page_throttled


def favicon(request):
    """No icon: the portal's pages say so in their head, but the admin's and the API docs' ask the browser's
    default /favicon.ico, whose 404 showed as a console error on every admin page."""
    return HttpResponse(status=204)


def home(request):
    """Send each person to their portal."""
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    if user.is_planner:
        return redirect("production:board")
    if user.is_supplier_member:
        return redirect("suppliers:purchase_orders")
    return redirect("orders:catalog")


class SignupForm(UserCreationForm):
    email = forms.EmailField(required=True)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]


def signup(request):
    """Consumers sign themselves up; the other roles are made by an administrator. Sign-ups are throttled
    per client address."""
    if request.method == "POST":
        refused = page_throttled(request, SignupThrottle)
        if refused is not None:
            return refused
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.role = User.Role.CONSUMER
        user.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("orders:catalog")
    return render(request, "registration/signup.html", {"form": form})


class ChangeFilter(forms.Form):
    person = forms.CharField(label=_("Person"), required=False, max_length=150)
    object = forms.CharField(label=_("Object"), required=False, max_length=200)
    since = forms.DateTimeField(label=_("From"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(label=_("Until"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] <= data["since"]:
            self.add_error("until", _("The end of the period is before its start."))
        return data


@planner_required
def changes(request):
    """Who changed what: every change a person made, newest first, filtered by person, object and time."""
    form = ChangeFilter(request.GET or None)
    rows = Change.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["person"]:
            rows = rows.filter(actor_name__iexact=data["person"].strip())
        if data["object"]:
            term = data["object"].strip()
            rows = rows.filter(object_label__icontains=term) | rows.filter(object_type__iexact=term)
        if data["since"]:
            rows = rows.filter(at__gte=data["since"])
        if data["until"]:
            rows = rows.filter(at__lt=data["until"])
    elif form.is_bound:
        rows = rows.none()
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "changes.html", {"form": form, "page": page})
