from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.accounts.forms import LoginForm, SignupForm
from portal.accounts.services import register_citizen
from portal.core.errors import DomainError


def post_signup_redirect(request, user) -> str:
    """Where a new citizen goes after signing up: the profile page.

    A later step (phone verification) can take over by setting
    `settings.ACCOUNTS_POST_SIGNUP_REDIRECT` to the dotted path of a function (request, user) → URL.
    """
    hook = getattr(settings, "ACCOUNTS_POST_SIGNUP_REDIRECT", "")
    if hook:
        return import_string(hook)(request, user)
    return reverse("accounts:profile")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = register_citizen(
                personal_id=data["personal_id"],
                full_name=data["full_name"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                phone=data["phone"],
                password=data["password1"],
                email=data["email"],
                permanent_address=data["permanent_address"],
                current_address=data["current_address"],
            )
        except DomainError as exc:
            for field, msgs in (exc.details or {"personal_id": [exc.message]}).items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                target = "password1" if field == "password" else field
                form.add_error(target if target in form.fields else None, msgs)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Đăng ký tài khoản thành công."))
            return redirect(post_signup_redirect(request, user))
    return render(request, "accounts/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Citizens and officers. Failed logins count toward the lockout shared with the admin login
    and the API token (portal.accounts.lockout); a locked-out account is answered 429."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked_seconds:
            response.status_code = 429
            response["Retry-After"] = str(form.locked_seconds)
        return response


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
def profile(request):
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {"profile_user": user, "roles": list(user.staff_roles.all())},
    )


def index(request):
    return redirect("accounts:profile")
