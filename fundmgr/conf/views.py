"""Project-level pages: where each role lands. (The styled error pages are Django's own
handlers rendering templates/400.html, 403.html, 404.html and 500.html.)"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from fundmgr.access import landing_url


@login_required
def workspace(request):
    """After logging in, each role lands on its own workspace (an auditor on the audit
    pages, not on an officer's dashboard it cannot use)."""
    return redirect(landing_url(request.user))
