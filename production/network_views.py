"""The planner's network page: every factory side by side, and the jobs that moved between them
(`production/network.py` computes the figures)."""

from django.shortcuts import render

from cosmo.roles import planner_required
from production.network import network_figures


@planner_required
def network(request):
    template = "production/network.html#figures" if request.htmx else "production/network.html"
    return render(request, template, network_figures())
