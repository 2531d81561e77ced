from django import forms
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.shortcuts import redirect, render

from cosmo.models import User


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
    """Consumers sign themselves up; the other roles are made by an administrator."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.role = User.Role.CONSUMER
        user.save()
        login(request, user)
        return redirect("orders:catalog")
    return render(request, "registration/signup.html", {"form": form})
